using System.Globalization;
using System.Text.Json;
using Luigi.Engine;
using Microsoft.Playwright;
using Luigi.Engine.Execution;

namespace Luigi.Dashboard.Bench;

/// <summary>
/// A paced run watched on its graph: for every task change, the time from its commit (host clock) to the first
/// animation frame in which the page shows it (browser clock; same machine, same wall clock).
/// </summary>
internal static class LiveLatency
{
    // Every 10 ms: the first time each (task, state) shows in the graph, and the time the header's Done count reaches
    // each value (a timer, not animation frames, which a headless page does not always get).
    private const string Recorder = """
        () => {
          const graph = document.querySelector('[data-testid=graph]').luigiGraph;
          const pending = graph.nodes().map(n => n.taskId);
          const seen = new Map();
          const doneAt = [];
          window.__luigiSeen = seen;
          window.__luigiDoneAt = doneAt;
          const sample = () => {
            const now = performance.timeOrigin + performance.now();
            for (let i = pending.length - 1; i >= 0; i--) {
              const taskId = pending[i];
              const state = graph.state(taskId);
              const key = taskId + '\u0001' + state;
              if (!seen.has(key)) seen.set(key, now);
              if (state === 'Done') { pending[i] = pending[pending.length - 1]; pending.pop(); }
            }
            const count = Number(document.querySelector('[data-testid=count-Done]')?.dataset.count ?? 0);
            while (doneAt.length < count) doneAt.push(now);
          };
          window.__luigiTimer = setInterval(sample, 10);
        }
        """;

    public static async Task<object> MeasureAsync(BenchHost host, BenchBrowser browser, int tasks, int rate, int workers, CancellationToken ct)
    {
        // Each task makes two changes (Running, Done): rate/2 tasks per second over all workers.
        var delayMs = Math.Max(1, workers * 1000 * 2 / Math.Max(1, rate));
        var key = Guid.NewGuid().ToString("N");
        var runId = await host.Executor.EnqueueAsync(new RunRequest(nameof(DashboardLiveBench), new Dictionary<string, string>
        {
            ["key"] = key,
            ["tasks"] = tasks.ToString(CultureInfo.InvariantCulture),
            ["delayMs"] = delayMs.ToString(CultureInfo.InvariantCulture),
        }, RunTrigger.Api, "bench"), ct);

        var page = await browser.NewPageAsync(host.BaseUrl);
        await page.GotoAsync($"/runs/{runId}");
            await page.Locator(".shell[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-tasks", tasks.ToString(CultureInfo.InvariantCulture), new() { Timeout = 120_000 });
        await page.EvaluateAsync(Recorder);

        DashboardLiveBench.Open(key);
        var started = DateTime.UtcNow;
        await host.Executor.WaitForRunAsync(runId, ct);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        // The page is done when it shows every task Done; then the recorder stops.
        await page.WaitForFunctionAsync(
            $"() => window.__luigiDoneAt.length >= {tasks} && document.querySelector('[data-testid=graph]').luigiGraph.nodes().every(n => n.state === 'Done')", null,
            new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 100 });
        var seen = await page.EvaluateAsync<JsonElement>("() => { clearInterval(window.__luigiTimer); return [...window.__luigiSeen.entries()]; }");
        var doneAt = (await page.EvaluateAsync<double[]>("() => window.__luigiDoneAt")).ToList();
        await page.Context.CloseAsync();

        var shown = seen.EnumerateArray().ToDictionary(e => e[0].GetString()!, e => e[1].GetDouble());
        var commits = host.Commits.Of(runId);
        var latencies = new List<double>();
        var missed = 0;
        foreach (var ((taskId, state), committedAt) in commits.Where(c => c.Key.State is TaskState.Running or TaskState.Done))
        {
            if (shown.TryGetValue(taskId + '\u0001' + state, out var at))
            {
                latencies.Add(Math.Max(0, at - committedAt));
            }
            else if (state == TaskState.Done)
            {
                missed++; // a Done never shown is a lost change; a Running may be overtaken by its Done within one frame
            }
        }

        latencies.Sort();
        // The header's Done count: the k-th Done committed against the time the count first showed k.
        var doneCommits = commits.Where(c => c.Key.State == TaskState.Done).Select(c => c.Value).Order().ToList();
        var header = doneCommits.Zip(doneAt, (committed, shownAt) => Math.Max(0, shownAt - committed)).Order().ToList();
        var changes = commits.Count;
        var lastTenth = latencies.Count / 10;
        return new
        {
            bench = "live",
            tasks,
            workers,
            task_ms = delayMs,
            changes,
            changes_per_s = Math.Round(changes / seconds),
            measured = latencies.Count,
            missed_done = missed,
            p50_ms = Math.Round(Percentile(latencies, 0.50)),
            p95_ms = Math.Round(Percentile(latencies, 0.95)),
            p99_ms = Math.Round(Percentile(latencies, 0.99)),
            max_ms = Math.Round(latencies.Count == 0 ? double.NaN : latencies[^1]),
            header_count_p50_ms = Math.Round(Percentile(header, 0.50)),
            header_count_p95_ms = Math.Round(Percentile(header, 0.95)),
            header_count_max_ms = Math.Round(header.Count == 0 ? double.NaN : header[^1]),
            // Falling behind shows as latency growing over the run: compare changes committed first and last.
            first_tenth_p95_ms = Math.Round(PercentileByCommit(commits, shown, 0, lastTenth)),
            last_tenth_p95_ms = Math.Round(PercentileByCommit(commits, shown, changes - lastTenth, lastTenth)),
        };
    }

    private static double PercentileByCommit(
        IReadOnlyDictionary<(string TaskId, TaskState State), double> commits, IReadOnlyDictionary<string, double> shown, int skip, int take)
    {
        var slice = commits.Where(c => c.Key.State is TaskState.Running or TaskState.Done).OrderBy(c => c.Value).Skip(skip).Take(take)
            .Select(c => shown.TryGetValue(c.Key.TaskId + '\u0001' + c.Key.State, out var at) ? Math.Max(0, at - c.Value) : double.NaN)
            .Where(l => !double.IsNaN(l)).Order().ToList();
        return Percentile(slice, 0.95);
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
