using System.Diagnostics;
using System.Text.Json;
using Luigi.Engine.Storage;
using Luigi.Web.Bench;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Dashboard.Bench;

/// <summary>
/// Opens one run's page on a host already running elsewhere (scripts/bench-run-page.sh starts it, so that its memory is its own)
/// and times, in headless Chromium: the page until its task list shows rows, then each of the Graph and Timeline tabs until
/// drawn (or shown grouped). Counts the bytes of every HTTP response and of the Blazor circuit's frames each step received.
/// </summary>
internal static class RunPageBench
{
    /// <summary>Writes a finished run of <paramref name="tasks"/> layered tasks, two of them failed (each blocking 25), with attempts.</summary>
    public static async Task<int> SeedAsync(string connectionString, int tasks, TextWriter output)
    {
        using var host = new BenchHost(connectionString, 1);
        var layers = tasks / 100;
        int[] failed = layers >= 27 ? [(layers - 26) * 100 + 5, (layers - 26) * 100 + 6] : [];
        var clock = Stopwatch.StartNew();
        var runId = await LayeredRunSeeder.SeedAsync(host.Services.GetRequiredService<LuigiStore>(), tasks, failed, attempts: true);
        output.WriteLine(JsonSerializer.Serialize(new { bench = "run-page", step = "seed", run = runId, tasks, seconds = Math.Round(clock.Elapsed.TotalSeconds, 1) }));
        return 0;
    }

    public static async Task<int> RunAsync(string baseUrl, Guid runId, TextWriter output)
    {
        await using var browser = await BenchBrowser.LaunchAsync();
        var page = await browser.NewPageAsync(baseUrl);
        var responses = new List<IResponse>();
        long frameBytes = 0;
        page.Response += (_, response) =>
        {
            lock (responses)
            {
                responses.Add(response);
            }
        };
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
            Interlocked.Add(ref frameBytes, frame.Binary?.LongLength ?? frame.Text?.Length ?? 0);

        async Task StepAsync(string step, Func<Task> act)
        {
            lock (responses)
            {
                responses.Clear();
            }

            var before = Interlocked.Read(ref frameBytes);
            var clock = Stopwatch.StartNew();
            await act();
            var ms = clock.Elapsed.TotalMilliseconds;
            List<IResponse> received;
            lock (responses)
            {
                received = [.. responses];
            }

            // Sizes read after the step (reading a body inside Playwright's event would block its dispatch): as sent when the
            // Content-Length says, else the body; the Blazor circuit's frames are counted apart.
            var seen = new List<(string Url, long Bytes)>();
            foreach (var response in received.Where(r => r.Status == 200 && !r.Url.Contains("/_blazor", StringComparison.Ordinal)))
            {
                var length = response.Headers.TryGetValue("content-length", out var given) && long.TryParse(given, out var n) ? n
                    : (await response.BodyAsync()).LongLength;
                seen.Add((new Uri(response.Url).PathAndQuery, length));
            }

            output.WriteLine(JsonSerializer.Serialize(new
            {
                bench = "run-page", step, run = runId, ms = Math.Round(ms), circuit_bytes = Interlocked.Read(ref frameBytes) - before,
                responses = seen.Where(r => r.Bytes > 0).Select(r => new { url = r.Url, bytes = r.Bytes }),
            }));
        }

        await StepAsync("open", async () =>
        {
            await page.GotoAsync($"/runs/{runId}");
            await page.Locator("[data-testid=task-row]").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 600_000 });
        });
        var counts = await page.Locator("[data-testid=run-counts]").InnerTextAsync();
        output.WriteLine(JsonSerializer.Serialize(new
        {
            bench = "run-page", step = "shown", counts = counts.Trim(), task_count = await page.Locator("[data-testid=task-count]").InnerTextAsync(),
        }));
        await StepAsync("next-page", async () =>
        {
            var first = await page.Locator("[data-testid=task-row]").First.GetAttributeAsync("data-task-id");
            if (await page.Locator("[data-testid=page-next]").CountAsync() == 0)
            {
                return; // a run read whole has no pages
            }

            await page.Locator("[data-testid=page-next]").ClickAsync();
            await page.WaitForFunctionAsync("f => document.querySelector('[data-testid=task-row]')?.dataset.taskId !== f", first);
        });
        await StepAsync("filter-failed", async () =>
        {
            await page.Locator("[data-testid=filter-state]").SelectOptionAsync("Failed");
            await page.WaitForFunctionAsync("() => /Failed|0 of/.test(document.querySelector('[data-testid=task-count]')?.textContent ?? '') || document.querySelectorAll('[data-testid=task-row][data-state=Failed]').length > 0 || !document.querySelector('[data-testid=task-row]')");
        });
        await StepAsync("graph", async () =>
        {
            await page.GetByTestId("tab-graph").ClickAsync();
            await page.WaitForFunctionAsync(
                "() => document.querySelector('[data-testid=grouped-graph] table') || ['true', 'error'].includes(document.querySelector('[data-testid=graph]')?.dataset.ready)",
                null, new PageWaitForFunctionOptions { Timeout = 600_000 });
        });
        await StepAsync("timeline", async () =>
        {
            await page.GetByTestId("tab-timeline").ClickAsync();
            await page.WaitForFunctionAsync(
                "() => ['true', 'error'].includes(document.querySelector('[data-testid=timeline]')?.dataset.ready) || document.querySelector('[data-testid=timeline-lane]')",
                null, new PageWaitForFunctionOptions { Timeout = 600_000 });
        });
        return 0;
    }
}
