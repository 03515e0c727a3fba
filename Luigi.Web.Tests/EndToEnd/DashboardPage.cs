using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>Opening a dashboard page as a user does: loaded, and its circuit up so that buttons act.</summary>
public static class DashboardPage
{
    /// <summary>Goes to <paramref name="path"/> and waits until the page is interactive (the shell says so).</summary>
    public static async Task OpenAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator(".shell[data-interactive=true]").WaitForAsync();
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> (a JavaScript function) returns true in the page, checking every 100 ms
    /// (timer polling: animation frames are not a reliable clock in a headless page that other pages compete with).
    /// </summary>
    public static Task WaitUntilAsync(this IPage page, string predicate, int timeoutMs = 30_000) =>
        page.WaitForFunctionAsync(predicate, null, new PageWaitForFunctionOptions { PollingInterval = 100, Timeout = timeoutMs });
}
