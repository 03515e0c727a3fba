using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// What a page did that its user would notice or its developer would see in the console, across navigations:
/// Content-Security-Policy violations (the page's <c>securitypolicyviolation</c> events and Chromium's "Refused to"
/// console errors; the page's own list is <c>window.luigiTestViolations</c>), dialogs (alert, confirm, prompt) and uncaught script errors.
/// </summary>
public sealed class PageWatch
{
    private readonly List<string> _violations = [];
    private readonly List<string> _dialogs = [];
    private readonly List<string> _errors = [];

    private PageWatch()
    {
    }

    public IReadOnlyList<string> Violations { get { lock (_violations) { return [.. _violations]; } } }

    public IReadOnlyList<string> Dialogs { get { lock (_dialogs) { return [.. _dialogs]; } } }

    public IReadOnlyList<string> Errors { get { lock (_errors) { return [.. _errors]; } } }

    /// <summary>Starts watching <paramref name="page"/>; call before its first navigation.</summary>
    public static async Task<PageWatch> StartAsync(IPage page)
    {
        var watch = new PageWatch();
        await page.ExposeFunctionAsync("luigiTestViolation", (string v) => Add(watch._violations, v));
        await page.AddInitScriptAsync(
            "window.luigiTestViolations = []; document.addEventListener('securitypolicyviolation', e => { " +
            "const v = `${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`; " +
            "window.luigiTestViolations.push(v); window.luigiTestViolation(v); });");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                Add(watch._violations, message.Text);
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            Add(watch._dialogs, $"{dialog.Type}: {dialog.Message}");
            await dialog.DismissAsync();
        };
        page.PageError += (_, error) => Add(watch._errors, error);
        return watch;
    }

    /// <summary>Fails, listing them, when the page reported a policy violation, opened a dialog or threw.</summary>
    public void AssertClean()
    {
        Assert.Empty(Violations);
        Assert.Empty(Dialogs);
        Assert.Empty(Errors);
    }

    private static bool Add(List<string> list, string item)
    {
        lock (list)
        {
            list.Add(item);
        }

        return true;
    }
}
