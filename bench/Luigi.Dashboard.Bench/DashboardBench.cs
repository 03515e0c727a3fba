using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Luigi.Engine;
using Microsoft.Playwright;
using Npgsql;
using Luigi.Engine.Execution;

namespace Luigi.Dashboard.Bench;

/// <summary>The measurements; each prints one JSON line, so runs can be compared and tabulated.</summary>
internal static class DashboardBench
{
    public static async Task<int> RunAsync(
        int[] sizes, int repeat, int liveTasks, int rate, int workers, int apiRequests, int[] apiConcurrency, int signInAttempts, int[] oneFamily,
        TextWriter output, CancellationToken ct)
    {
        var server = Environment.GetEnvironmentVariable("LUIGI_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set LUIGI_TEST_POSTGRES (scripts/bench-dashboard.sh starts a throwaway PostgreSQL and does).");
        var database = $"luigi_bench_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE {database}", ct);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
            await using var host = new BenchHost(connectionString, workers);
            sizes = [.. sizes.Where(s => s > 0)];
            var needsBrowser = sizes.Length > 0 || liveTasks > 0 || oneFamily.Length > 0;
            await using var browser = needsBrowser ? await BenchBrowser.LaunchAsync() : null;
            output.WriteLine($"# host {host.BaseUrl}, {workers} workers, {Environment.ProcessorCount} cores, Chromium {browser?.Version ?? "not started"}");

            if (signInAttempts > 0)
            {
                foreach (var figures in await SignInBench.MeasureAsync(host, signInAttempts, ct))
                {
                    output.WriteLine(JsonSerializer.Serialize(figures));
                }
            }

            if (browser is not null)
            {
                // Warm-up: JIT, first circuit, module load.
                await MeasureRenderAsync(host, browser, 200, ct);
            }

            foreach (var size in sizes)
            {
                var loads = new List<RenderFigures>();
                for (var i = 0; i < repeat; i++)
                {
                    loads.Add(await MeasureRenderAsync(host, browser!, size, ct));
                }

                output.WriteLine(JsonSerializer.Serialize(RenderFigures.Median(size, loads)));
            }

            foreach (var size in oneFamily)
            {
                output.WriteLine(JsonSerializer.Serialize(await OneFamilyBench.MeasureAsync(host, browser!, size, repeat, ct)));
            }

            if (apiRequests > 0)
            {
                foreach (var path in new[] { "/api/pipelines", "/api/runs?pageSize=20" })
                {
                    foreach (var concurrency in apiConcurrency)
                    {
                        foreach (var token in new[] { null, host.AdminToken })
                        {
                            output.WriteLine(JsonSerializer.Serialize(await ApiAuthBench.MeasureAsync(host, path, token, apiRequests, concurrency, ct)));
                        }
                    }
                }
            }

            if (liveTasks > 0)
            {
                output.WriteLine(JsonSerializer.Serialize(await LiveLatency.MeasureAsync(host, browser!, liveTasks, rate, workers, ct)));
            }

            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
        }
    }

    /// <summary>Opens a finished run of <paramref name="size"/> tasks: time to the status list, then to the laid-out graph.</summary>
    private static async Task<RenderFigures> MeasureRenderAsync(BenchHost host, BenchBrowser browser, int size, CancellationToken ct)
    {
        var runId = await host.Executor.EnqueueAsync(new RunRequest(nameof(DashboardRenderBench),
            new Dictionary<string, string> { ["tasks"] = size.ToString(CultureInfo.InvariantCulture) }, RunTrigger.Api, "bench"), ct);
        await host.Executor.WaitForRunAsync(runId, ct);
        var page = await browser.NewPageAsync(host.BaseUrl);
        try
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync($"/runs/{runId}");
            await page.Locator(".shell[data-interactive=true]").WaitForAsync();
            await page.Locator("[data-task-id]").First.WaitForAsync();
            var tasksMs = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            await page.GetByTestId("tab-graph").ClickAsync();
            var graph = page.GetByTestId("graph");
            await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 120_000 });
            var graphMs = clock.Elapsed.TotalMilliseconds;
            var nodes = int.Parse(await graph.GetAttributeAsync("data-nodes") ?? "0", CultureInfo.InvariantCulture);
            var edges = int.Parse(await graph.GetAttributeAsync("data-edges") ?? "0", CultureInfo.InvariantCulture);
            var collapsed = int.Parse(await graph.GetAttributeAsync("data-collapsed") ?? "0", CultureInfo.InvariantCulture);
            var layoutMs = double.Parse(await graph.GetAttributeAsync("data-layout-ms") ?? "0", CultureInfo.InvariantCulture);
            return new RenderFigures(size, tasksMs, graphMs, layoutMs, nodes, edges, collapsed);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// One page load: milliseconds to the status list and to the graph (click to laid out), and what the graph showed:
/// the nodes and edges drawn and how many families were drawn as one node each (0: every task drawn).
/// </summary>
internal sealed record RenderFigures(int Tasks, double TasksViewMs, double GraphMs, double GraphLayoutMs, int GraphNodes, int GraphEdges, int GraphCollapsed)
{
    public static object Median(int tasks, IReadOnlyList<RenderFigures> loads) => new
    {
        bench = "render",
        tasks,
        loads = loads.Count,
        tasks_view_ms = Math.Round(MedianOf(loads.Select(l => l.TasksViewMs))),
        graph_ms = Math.Round(MedianOf(loads.Select(l => l.GraphMs))),
        graph_layout_ms = Math.Round(MedianOf(loads.Select(l => l.GraphLayoutMs))),
        graph_nodes = loads[^1].GraphNodes,
        graph_edges = loads[^1].GraphEdges,
        graph_collapsed = loads[^1].GraphCollapsed,
    };

    internal static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
