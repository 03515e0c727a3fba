using System.Diagnostics;
using System.Globalization;
using Luigi.Engine.Storage;
using Luigi.Web.Bench;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Dashboard.Bench;

/// <summary>
/// A finished run of N tasks of one family (layers of 100, two failed tasks each blocking 25), written straight into
/// the store: time from the Graph tab's click to a meaningful graph (drawn, in more than one node), time to open its
/// biggest group, the frame rate while the view is dragged, grouped and with the group open, and the timeline of its
/// attempts: time to drawn, and to redraw after zooming in to 1 % of the run and out again.
/// </summary>
internal static class OneFamilyBench
{
    public static async Task<object> MeasureAsync(BenchHost host, BenchBrowser browser, int tasks, int repeat, CancellationToken ct)
    {
        var layers = tasks / 100;
        int[] failed = layers >= 27 ? [(layers - 26) * 100 + 5, (layers - 26) * 100 + 6] : [];
        var seed = Stopwatch.StartNew();
        var runId = await LayeredRunSeeder.SeedAsync(host.Services.GetRequiredService<LuigiStore>(), tasks, failed, attempts: true, cancellationToken: ct);
        var seedMs = seed.Elapsed.TotalMilliseconds;
        var loads = new List<Load>();
        for (var i = 0; i < repeat; i++)
        {
            loads.Add(await LoadAsync(host, browser, runId, ct));
        }

        double Median(Func<Load, double> f) => Math.Round(RenderFigures.MedianOf(loads.Select(f)), 1);
        var last = loads[^1];
        return new
        {
            bench = "one-family",
            tasks,
            loads = loads.Count,
            seed_ms = Math.Round(seedMs),
            tasks_view_ms = Median(l => l.TasksViewMs),
            graph_ms = Median(l => l.GraphMs),
            graph_layout_ms = Median(l => l.LayoutMs),
            graph_read_ms = Median(l => l.ReadMs),
            graph_model_ms = Median(l => l.ModelMs),
            graph_view_ms = Median(l => l.ViewMs),
            graph_render_ms = Median(l => l.RenderMs),
            graph_nodes = last.Nodes,
            graph_groups = last.Groups,
            graph_mode = last.Mode,
            grouped_pan_fps = Median(l => l.GroupedPan.Fps),
            grouped_pan_max_gap_ms = Median(l => l.GroupedPan.MaxGapMs),
            group_size = last.GroupSize,
            expand_ms = Median(l => l.ExpandMs),
            expand_layout_ms = Median(l => l.ExpandLayoutMs),
            expand_view_ms = Median(l => l.ExpandViewMs),
            expand_render_ms = Median(l => l.ExpandRenderMs),
            expand_layout = last.ExpandLayout,
            expanded_nodes = last.ExpandedNodes,
            expanded_edges = last.ExpandedEdges,
            expanded_pan_fps = Median(l => l.ExpandedPan.Fps),
            expanded_pan_max_gap_ms = Median(l => l.ExpandedPan.MaxGapMs),
            timeline_ms = Median(l => l.TimelineMs),
            timeline_aggregated = last.TimelineAggregated,
            timeline_lanes = last.TimelineLanes,
            timeline_zoom_in_ms = Median(l => l.ZoomInMs),
            timeline_zoom_out_ms = Median(l => l.ZoomOutMs),
        };
    }

    private sealed record Pan(double Fps, double MaxGapMs);

    private sealed record Load(
        double TasksViewMs, double GraphMs, double LayoutMs, double ReadMs, double ModelMs, double ViewMs, double RenderMs, int Nodes, int Groups, string Mode, Pan GroupedPan, int GroupSize, double ExpandMs,
        double ExpandLayoutMs, string ExpandLayout, int ExpandedNodes, int ExpandedEdges, Pan ExpandedPan, double ExpandViewMs = 0, double ExpandRenderMs = 0,
        double TimelineMs = 0, bool TimelineAggregated = false, double ZoomInMs = 0, double ZoomOutMs = 0, bool TimelineLanes = false);

    private static async Task<Load> LoadAsync(BenchHost host, BenchBrowser browser, Guid runId, CancellationToken ct)
    {
        var page = await browser.NewPageAsync(host.BaseUrl);
        try
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync($"/runs/{runId}");
            await page.Locator(".shell[data-interactive=true]").WaitForAsync(new() { Timeout = 300_000 });
            await page.Locator("[data-task-id]").First.WaitForAsync(new() { Timeout = 300_000 });
            var tasksMs = clock.Elapsed.TotalMilliseconds;

            // LUIGI_BENCH_PROFILE=<folder>: the browser's CPU profiles of opening the graph and of opening a group, for Chromium's DevTools.
            var profileDir = Environment.GetEnvironmentVariable("LUIGI_BENCH_PROFILE");
            var cdp = await StartProfileAsync(page, profileDir);
            clock.Restart();
            await page.GetByTestId("tab-graph").ClickAsync();
            var graph = page.GetByTestId("graph");
            // Polled every 20 ms: Playwright's Expect polls every 500 ms after its first few tries, which added up to half a
            // second to this figure.
            await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=graph]')?.dataset.ready === 'true'",
                null, new() { Timeout = 300_000, PollingInterval = 20 });
            var graphMs = clock.Elapsed.TotalMilliseconds;
            await SaveProfileAsync(cdp, profileDir, "graph", ct);
            var nodes = await IntAsync(graph, "data-nodes");
            var groups = await IntAsync(graph, "data-groups");
            if (nodes < 2)
            {
                throw new InvalidOperationException($"The graph of run {runId} shows {nodes} node(s): not a meaningful graph.");
            }

            var layoutMs = await DoubleAsync(graph, "data-layout-ms");
            var (read, model) = (await DoubleAsync(graph, "data-read-ms"), await DoubleAsync(graph, "data-model-ms"));
            var (viewMs, renderMs) = (await DoubleAsync(graph, "data-view-ms"), await DoubleAsync(graph, "data-render-ms"));
            var mode = await graph.GetAttributeAsync("data-mode") ?? "";
            var groupedPan = await PanAsync(page, graph);

            var biggest = await graph.EvaluateAsync<string>("e => e.luigiGraph.groups()[0].id");
            var size = await graph.EvaluateAsync<int>("e => e.luigiGraph.groups()[0].size");
            var xy = await graph.EvaluateAsync<double[]>($"e => {{ const p = e.luigiGraph.position({System.Text.Json.JsonSerializer.Serialize(biggest)}); return [p.x, p.y]; }}");
            cdp = await StartProfileAsync(page, profileDir);
            clock.Restart();
            await graph.ClickAsync(new() { Position = new Position { X = (float)xy[0], Y = (float)xy[1] } });
            await page.WaitForFunctionAsync($"() => {{ const e = document.querySelector('[data-testid=graph]'); return e.dataset.ready === 'true' && Number(e.dataset.groups) < {groups}; }}",
                null, new() { Timeout = 300_000, PollingInterval = 20 });
            var expandMs = clock.Elapsed.TotalMilliseconds;
            await SaveProfileAsync(cdp, profileDir, $"expand-{size}", ct);
            var expanded = new Load(tasksMs, graphMs, layoutMs, read, model, viewMs, renderMs, nodes, groups, mode, groupedPan, size, expandMs,
                await DoubleAsync(graph, "data-layout-ms"), await graph.GetAttributeAsync("data-layout-engine") ?? "",
                await IntAsync(graph, "data-nodes"), await IntAsync(graph, "data-edges"), new Pan(0, 0));
            expanded = expanded with { ExpandViewMs = await DoubleAsync(graph, "data-view-ms"), ExpandRenderMs = await DoubleAsync(graph, "data-render-ms") };
            expanded = expanded with { ExpandedPan = await PanAsync(page, graph) };

            // The timeline of the same run (one attempt per task that ran): open, then zoom in to 1 % and out again.
            clock.Restart();
            await page.GetByTestId("tab-timeline").ClickAsync();
            var timeline = page.GetByTestId("timeline");
            // A run too big to read whole (more than RunTasksApi.MaxRunPageSize tasks) shows one lane per worker, counted by the
            // database, instead of the chart: its time is to the lanes drawn, and it has no zoom.
            await page.Locator("[data-testid=timeline][data-ready=true], [data-testid=timeline-lanes]").First.WaitForAsync(new() { Timeout = 300_000 });
            if (await page.GetByTestId("timeline-lanes").CountAsync() > 0)
            {
                return expanded with { TimelineMs = clock.Elapsed.TotalMilliseconds, TimelineAggregated = true, TimelineLanes = true };
            }

            var timelineMs = clock.Elapsed.TotalMilliseconds;
            var aggregated = await timeline.GetAttributeAsync("data-aggregated") == "true";
            clock.Restart();
            await timeline.EvaluateAsync("e => e.luigiTimeline.zoom(50, 51)");
            await Assertions.Expect(timeline).ToHaveAttributeAsync("data-aggregated", "false", new() { Timeout = 300_000 });
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            var zoomInMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            await timeline.EvaluateAsync("e => e.luigiTimeline.zoom(0, 100)");
            await Assertions.Expect(timeline).ToHaveAttributeAsync("data-aggregated", aggregated ? "true" : "false", new() { Timeout = 300_000 });
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            return expanded with { TimelineMs = timelineMs, TimelineAggregated = aggregated, ZoomInMs = zoomInMs, ZoomOutMs = clock.Elapsed.TotalMilliseconds };
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static async Task<ICDPSession?> StartProfileAsync(IPage page, string? folder)
    {
        if (folder is null)
        {
            return null;
        }

        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Profiler.enable");
        await cdp.SendAsync("Profiler.setSamplingInterval", new() { ["interval"] = 200 });
        await cdp.SendAsync("Profiler.start");
        return cdp;
    }

    private static async Task SaveProfileAsync(ICDPSession? cdp, string? folder, string name, CancellationToken ct)
    {
        if (cdp is null || folder is null)
        {
            return;
        }

        var profile = await cdp.SendAsync("Profiler.stop");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{name}-{DateTime.UtcNow:HHmmssfff}.cpuprofile"), profile!.Value.GetProperty("profile").GetRawText(), ct);
    }

    /// <summary>Drags the view 600 px in 60 steps, counting the page's animation frames meanwhile.</summary>
    private static async Task<Pan> PanAsync(IPage page, ILocator graph)
    {
        var box = (await graph.BoundingBoxAsync())!;
        var (x, y) = (box.X + box.Width * 0.5f, box.Y + box.Height * 0.75f);
        await page.EvaluateAsync("() => { window.__frames = []; window.__stop = false; const loop = t => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(loop); }; requestAnimationFrame(loop); }");
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        for (var i = 1; i <= 60; i++)
        {
            await page.Mouse.MoveAsync(x - i * 10, y);
        }

        await page.Mouse.UpAsync();
        var figures = await page.EvaluateAsync<double[]>("""
            () => { window.__stop = true; const f = window.__frames; let max = 0;
              for (let i = 1; i < f.length; i++) max = Math.max(max, f[i] - f[i - 1]);
              return [(f.length - 1) / ((f[f.length - 1] - f[0]) / 1000), max]; }
            """);
        return new Pan(Math.Round(figures[0], 1), Math.Round(figures[1]));
    }

    private static async Task<int> IntAsync(ILocator graph, string attribute) =>
        int.Parse(await graph.GetAttributeAsync(attribute) ?? "0", CultureInfo.InvariantCulture);

    private static async Task<double> DoubleAsync(ILocator graph, string attribute) =>
        double.Parse(await graph.GetAttributeAsync(attribute) ?? "0", CultureInfo.InvariantCulture);
}
