using Bunit;
using Luigi.Engine;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Components.Runs;

namespace Luigi.Web.Tests.Components;

/// <summary>The graph and the timeline of a run too big to draw one by one: aggregates read from the store (SQLite here).</summary>
public sealed class BigRunViewsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task GroupedGraph_ShowsEachFamilyWithItsCountsAndRequirements_AndListsAFamilysTasksWhenOpened()
    {
        var id = await TestRuns.SeedWideRunAsync(_h.Store, 300);

        var graph = _h.Context.Render<GroupedGraph>(p => p.Add(g => g.RunId, id).Add(g => g.Listed, 10));
        graph.WaitForElement("[data-testid=graph-group]", Wait);

        Assert.Equal(["Report", "Load", "Extract"], graph.FindAll("[data-testid=graph-group]").Select(g => g.GetAttribute("data-family")));
        var load = graph.Find("[data-testid=graph-group][data-family=Load]");
        Assert.Equal("50", load.GetAttribute("data-tasks"));
        Assert.Equal("50", load.QuerySelector("[data-testid=group-count-UpstreamFailed]")!.GetAttribute("data-count"));
        Assert.Equal("Extract (50 edges)", load.QuerySelector("[data-testid=group-requires]")!.TextContent.Trim());
        load.QuerySelector("[data-testid=expand-group]")!.Click();
        graph.WaitForAssertion(() => Assert.Equal(Enumerable.Range(2, 10).Select(TestRuns.WideTaskId),
            graph.FindAll("[data-testid=group-task]").Select(t => t.GetAttribute("data-task-id"))), Wait);
        Assert.Contains("The first 10 of 50", graph.Markup);
    }

    [Fact]
    public async Task TimelineLanes_CountEachWorkersAttemptsAndFailures()
    {
        var id = await TestRuns.SeedFailedComplexRunAsync(_h.Store);
        await using (var context = _h.Store.CreateDbContext())
        {
            context.Attempts.Add(new AttemptEntity
            {
                RunId = id, TaskIndex = 0, Number = 2, StartedAt = TestRuns.Start.AddSeconds(30), FinishedAt = TestRuns.Start.AddSeconds(31),
                Outcome = TaskState.Failed, HostId = "host-2", Worker = 3,
            });
            await context.SaveChangesAsync();
        }

        var lanes = _h.Context.Render<TimelineLanes>(p => p.Add(l => l.RunId, id));
        lanes.WaitForElement("[data-testid=timeline-lane]", Wait);

        var shown = lanes.FindAll("[data-testid=timeline-lane]")
            .Select(l => (l.GetAttribute("data-host"), l.GetAttribute("data-worker"), l.GetAttribute("data-attempts"))).ToArray();
        Assert.Equal([("host-1", "1", "6"), ("host-2", "3", "1")], shown);
        Assert.Contains("2 failed", lanes.FindAll("[data-testid=timeline-lane]")[0].TextContent);
    }
}
