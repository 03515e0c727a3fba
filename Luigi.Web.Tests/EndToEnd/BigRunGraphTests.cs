using System.Globalization;
using Luigi.Engine.Storage;
using Luigi.Web.Bench;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// A finished run of 20,000 tasks of one family (layers of 100, written straight into the store): its graph opens as
/// groups that follow the graph, each with its counts by state, the two failed tasks drawn on their own with what
/// they blocked; a group opens into its tasks and folds back; a task is shown with its neighbourhood (focus), and
/// found by its id. The run's page leads with the root causes: 2 failures, each blocking 25 tasks, and lists its tasks a page at a time.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BigRunGraphTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    private const int Tasks = 20_000;

    // Layer 174, positions 5 and 6: each blocks the task at its position in the 25 layers after it.
    private static readonly int[] Failed = [17_405, 17_406];

    [Fact]
    public async Task OneFamilyRun_Of20000Tasks_OpensAsGroupsWithStates_OpensAGroup_Focuses_AndFinds()
    {
        var runId = await LayeredRunSeeder.SeedAsync(Host.Services.GetRequiredService<LuigiStore>(), Tasks, Failed);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{runId}");
        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await page.WaitUntilAsync("() => ['true', 'error'].includes(document.querySelector('[data-testid=graph]')?.dataset.ready)", 60_000);
        Assert.True(await graph.GetAttributeAsync("data-ready") == "true", await graph.GetAttributeAsync("data-error"));

        // Not one box of 20,000: groups by depth, with states, and the two failures on their own.
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-tasks", "20000");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-mode", "depth");
        var groups = await GroupsAsync(graph);
        Assert.True(groups.Length > 1, $"{groups.Length} groups");
        Assert.Equal(Tasks - Failed.Length, groups.Sum(g => g.Size));
        Assert.Contains(groups, g => g.Done > 0 && g.Blocked == 0);
        Assert.Contains(groups, g => g.Blocked > 0);
        Assert.Equal(50, groups.Sum(g => g.Blocked));
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-pinned", "2");
        var pinned = await graph.EvaluateAsync<int[]>("e => e.luigiGraph.pinned().map(p => p.blocked)");
        Assert.Equal([25, 25], pinned);
        await Assertions.Expect(page.GetByTestId("graph-note")).ToContainTextAsync("Collapsed by depth (levels of the graph): 20,000 tasks");
        await Assertions.Expect(page.GetByTestId("graph-grouping")).ToHaveValueAsync("auto");

        // A click on a group draws its tasks in its place; a double-click on one of them folds it back.
        var group = groups[0];
        await graph.ClickAsync(new() { Position = await PositionAsync(graph, Js(group.Id)) });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-groups", (groups.Length - 1).ToString(), new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", (groups.Length - 1 + Failed.Length + group.Size).ToString());
        await Assertions.Expect(page.GetByTestId("graph-note")).ToContainTextAsync("Partly collapsed");
        var inside = await graph.EvaluateAsync<int>($"e => e.luigiGraph.nodes().find(n => e.luigiGraph.nodeOf(n.index) === 't' + n.index && !e.luigiGraph.pinned().some(p => p.index === n.index)).index");
        await graph.DblClickAsync(new() { Position = await PositionAsync(graph, $"'t{inside}'") });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-groups", groups.Length.ToString(), new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        // The double-click's first click selected the task: its details open beside the graph, which fits itself again.
        await Assertions.Expect(page.GetByTestId("task-details")).ToHaveAttributeAsync("data-task-id", $"LayeredTask(index={inside})", new() { Timeout = 30_000 });

        // A click on a failed task opens its details; Focus shows it with 2 steps up and down.
        await graph.ClickAsync(new() { Position = await PositionAsync(graph, "'t17405'") });
        await Assertions.Expect(page.GetByTestId("task-details")).ToHaveAttributeAsync("data-task-id", "LayeredTask(index=17405)", new() { Timeout = 30_000 });
        await page.GetByTestId("graph-focus").ClickAsync();
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-mode", "focus", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-focus", "17405");
        // Upstream: 3 requirements, and their 3 (two shared); downstream: 17505 then 17605 (blocked).
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "9");
        Assert.Equal("UpstreamFailed", await graph.EvaluateAsync<string>("e => e.luigiGraph.state('LayeredTask(index=17605)')"));
        Assert.Equal("t17605", await graph.EvaluateAsync<string>("e => e.luigiGraph.nodeOf(17605)"));
        await page.GetByTestId("graph-unfocus").ClickAsync();
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-mode", "depth", new() { Timeout = 60_000 });

        // Search by id: the task is found among 20,000 and shown in focus.
        await page.GetByTestId("graph-search").FillAsync("LayeredTask(index=12345)");
        await page.GetByTestId("graph-search").PressAsync("Enter");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-focus", "12345", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("graph-search-result")).ToContainTextAsync("LayeredTask(index=12345) (1 of 1)");
        await Assertions.Expect(page.GetByTestId("task-details")).ToHaveAttributeAsync("data-task-id", "LayeredTask(index=12345)", new() { Timeout = 30_000 });

        // Another grouping, chosen by hand: ranges of the parameter's values.
        await page.GetByTestId("graph-unfocus").ClickAsync();
        await page.GetByTestId("graph-grouping").SelectOptionAsync("param:index");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-mode", "param:index", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        Assert.True((await GroupsAsync(graph)).Length > 1);
    }

    [Fact]
    public async Task EveryTaskOf2000_DrawsItsThousandsOfEdgesUnderTheNodes_AndASelectionDimsAllButItsLineage()
    {
        // 20 layers of 100: 5,662 edges, more than the graph draws as Cytoscape elements (edgeLayer.js).
        var runId = await LayeredRunSeeder.SeedAsync(Host.Services.GetRequiredService<LuigiStore>(), 2_000, []);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{runId}");
        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await page.GetByTestId("graph-grouping").SelectOptionAsync("tasks");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-mode", "tasks", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "2000");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-edges", "5662");
        await Assertions.Expect(graph.GetByTestId("graph-edge-layer")).ToHaveCountAsync(1);

        // Two edges of the same shape between the same columns: 1050 → 1150 (in 1050's lineage) and 1080 → 1180 (not).
        var (lit, other) = (("t1050", "t1150"), ("t1080", "t1180"));
        var before = await InkAsync(graph, lit, other);
        Assert.True(before[0] > 0 && before[1] > 0, $"edges drawn: {before[0]}, {before[1]}");

        await graph.ClickAsync(new() { Position = await PositionAsync(graph, "'t1050'") });
        await Assertions.Expect(page.GetByTestId("task-details")).ToHaveAttributeAsync("data-task-id", "LayeredTask(index=1050)", new() { Timeout = 30_000 });
        var after = await InkAsync(graph, lit, other);
        // Its edge keeps its ink, the other is dimmed (in proportion, should the view have been fitted again meanwhile).
        var (kept, dimmed) = ((double)after[0] / before[0], (double)after[1] / before[1]);
        Assert.True(dimmed < kept / 2, $"ink before {before[0]} and {before[1]}, after {after[0]} and {after[1]}");
    }

    [Fact]
    public async Task FailedRun_LeadsWithItsRootCauses_EachWithWhatItBlocked()
    {
        var runId = await LayeredRunSeeder.SeedAsync(Host.Services.GetRequiredService<LuigiStore>(), Tasks, Failed);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{runId}");
        var causes = page.GetByTestId("root-causes");
        await Assertions.Expect(page.GetByTestId("root-causes-title")).ToHaveTextAsync("2 tasks failed and blocked 50 others");
        var items = causes.GetByTestId("root-cause");
        await Assertions.Expect(items).ToHaveCountAsync(2);
        await Assertions.Expect(items.Nth(0)).ToHaveAttributeAsync("data-failed-task", "LayeredTask(index=17405)");
        await Assertions.Expect(items.Nth(0)).ToHaveAttributeAsync("data-blocked", "25");
        await Assertions.Expect(items.Nth(1)).ToHaveAttributeAsync("data-failed-task", "LayeredTask(index=17406)");
        await Assertions.Expect(items.Nth(0).GetByTestId("blocked-summary")).ToHaveTextAsync("Blocked 25 tasks: LayeredTask ×25");

        // The blocked tasks are listed under their cause, not as problems of their own.
        await items.Nth(0).GetByTestId("blocked-summary").ClickAsync();
        var blocked = items.Nth(0).GetByTestId("blocked-task");
        await Assertions.Expect(blocked).ToHaveCountAsync(25);
        await Assertions.Expect(blocked.Nth(0)).ToHaveAttributeAsync("data-blocked-task", "LayeredTask(index=17505)");
        await Assertions.Expect(blocked.Nth(24)).ToHaveAttributeAsync("data-blocked-task", "LayeredTask(index=19905)");
    }

    [Fact]
    public async Task RunPage_Of20000Tasks_CountsEveryTask_ListsAPageAtATime_AndFiltersTheFailedOnes()
    {
        var runId = await LayeredRunSeeder.SeedAsync(Host.Services.GetRequiredService<LuigiStore>(), Tasks, Failed);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{runId}");
        var rows = page.GetByTestId("task-row");

        await Assertions.Expect(page.GetByTestId("count-Done")).ToHaveAttributeAsync("data-count", (Tasks - 52).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("count-UpstreamFailed")).ToHaveAttributeAsync("data-count", "50");
        await Assertions.Expect(rows).ToHaveCountAsync(100);
        await Assertions.Expect(page.GetByTestId("task-count")).ToHaveTextAsync("1–100 of 20,000 tasks");
        await page.GetByTestId("page-next").ClickAsync();
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-task-id", LayeredRunSeeder.TaskId(100));
        await page.GetByTestId("filter-state").SelectOptionAsync(nameof(Luigi.Engine.TaskState.Failed));
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(1)).ToHaveAttributeAsync("data-task-id", LayeredRunSeeder.TaskId(Failed[1]));
        await Assertions.Expect(page.GetByTestId("task-count")).ToHaveTextAsync("1–2 of 2 matching, of 20,000 tasks");
    }

    [Fact]
    public async Task Timeline_Of20000Attempts_IsDrawnInSlicesZoomedOut_KeepsTheFailuresInSight_AndBarByBarZoomedIn()
    {
        var runId = await LayeredRunSeeder.SeedAsync(Host.Services.GetRequiredService<LuigiStore>(), Tasks, Failed, attempts: true);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{runId}");
        await page.GetByTestId("tab-timeline").ClickAsync();
        var timeline = page.GetByTestId("timeline");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });

        // 19,950 attempts (the 50 blocked tasks never ran) in 32 lanes: too many to draw one by one, so in slices.
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-bars", "19950");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-lanes", "32");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-aggregated", "true");
        Assert.Equal("Failed", await timeline.EvaluateAsync<string>("e => e.luigiTimeline.bar('LayeredTask(index=17405)').state"));

        // Zoomed in to a few hundred attempts, each is a bar of its own again.
        await timeline.EvaluateAsync("e => e.luigiTimeline.zoom(50, 51)");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-aggregated", "false", new() { Timeout = 30_000 });
        await timeline.EvaluateAsync("e => e.luigiTimeline.zoom(0, 100)");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-aggregated", "true", new() { Timeout = 30_000 });
    }

    /// <summary>A group as the page draws it (filled by Playwright, hence settable).</summary>
    public sealed class Group
    {
        public string Id { get; set; } = "";

        public int Size { get; set; }

        public int Done { get; set; }

        public int Blocked { get; set; }
    }

    private static async Task<Group[]> GroupsAsync(ILocator graph) =>
        (await graph.EvaluateAsync<Group[]>(
            "e => e.luigiGraph.groups().map(g => ({ id: g.id, size: g.size, done: g.counts.Done ?? 0, blocked: g.counts.UpstreamFailed ?? 0 }))"))!;

    private static string Js(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>
    /// How much the edge layer has drawn (its pixels' alpha, summed) around the middle of each of two edges, given by the
    /// ids of their ends, once the drawing stands still.
    /// </summary>
    private static async Task<long[]> InkAsync(ILocator graph, (string From, string To) first, (string From, string To) second)
    {
        await graph.Page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]').luigiGraph.settled()");
        return (await graph.EvaluateAsync<long[]>(
            """
            (e, ends) => {
              const canvas = e.querySelector('[data-testid=graph-edge-layer]'), ctx = canvas.getContext('2d'), scale = canvas.width / canvas.clientWidth;
              return ends.map(([from, to]) => {
                const p = e.luigiGraph.position(from), q = e.luigiGraph.position(to);
                const x = Math.round((p.x + q.x) / 2 * scale), y = Math.round((p.y + q.y) / 2 * scale);
                let ink = 0;
                for (const [i, a] of ctx.getImageData(x - 1, y - 1, 3, 3).data.entries()) if (i % 4 === 3) ink += a;
                return ink;
              });
            }
            """, new[] { new[] { first.From, first.To }, new[] { second.From, second.To } }))!;
    }

    /// <summary>Where the drawn node whose id <paramref name="idExpression"/> (JavaScript, of <c>e</c>) gives is, in the graph's element.</summary>
    private static async Task<Position> PositionAsync(ILocator graph, string idExpression)
    {
        // Once the drawing stands still (fitted to a panel opening beside it, centred on a selected task), nodes stay put.
        await graph.Page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]').luigiGraph.settled()");
        var xy = await graph.EvaluateAsync<double[]>($"e => {{ const p = e.luigiGraph.position({idExpression}); return [p.x, p.y]; }}");
        return new Position { X = (float)xy[0], Y = (float)xy[1] };
    }
}
