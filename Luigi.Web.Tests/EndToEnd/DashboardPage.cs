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
    /// Waits until <paramref name="predicate"/> (a JavaScript function) returns true in the page, asking every 100 ms
    /// from the test's side: timers and animation frames inside a headless page are not a reliable clock when other
    /// pages and processes compete for the machine. Fails with the predicate in the message after the timeout.
    /// </summary>
    public static async Task WaitUntilAsync(this IPage page, string predicate, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!await page.EvaluateAsync<bool>(predicate))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still false after {timeoutMs} ms: {predicate}");
            }

            await poll.WaitForNextTickAsync();
        }
    }
}
