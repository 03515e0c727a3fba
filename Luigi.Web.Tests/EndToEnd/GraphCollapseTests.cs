using Luigi.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// The job-net opens collapsed by family when its layout would be slow (nodes plus edges above
/// <c>collapseCostAbove</c>), not only above 2,000 tasks; a small graph is drawn task by task.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GraphCollapseTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task DenseGraph_OfAFewHundredTasks_OpensCollapsed_AndAFamilyExpandsOnClick()
    {
        var page = await NewPageAsync();
        await page.OpenAsync("/pipelines/DenseGraphPipeline");
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });

        // 300 tasks and 596 edges: one node per family, and a note saying so.
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-tasks", "300");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "3");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-edges", "2");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-collapsed", "3");
        var note = page.GetByTestId("graph-note");
        await Assertions.Expect(note).ToBeVisibleAsync();
        await Assertions.Expect(note).ToContainTextAsync("Collapsed by family: 300 tasks, 596 edges. Click a family");
        Assert.Equal(596, await graph.EvaluateAsync<int>("e => e.luigiGraph.edges()"));

        // A click on Layer1 draws its 100 tasks, linked to the two families still collapsed.
        await graph.ClickAsync(new() { Position = await PositionAsync(graph, "'f:Layer1'") });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-collapsed", "2", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "102");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-edges", "200");
        await Assertions.Expect(note).ToContainTextAsync("Partly collapsed by family");

        // A double-click on one of its tasks folds the family back.
        var task = "'t' + e.luigiGraph.nodes().find(n => n.family === 'Layer1').index";
        await graph.DblClickAsync(new() { Position = await PositionAsync(graph, task) });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-collapsed", "3", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "3");
    }

    [Fact]
    public async Task SmallGraph_IsDrawnTaskByTask_WithoutTheNote()
    {
        var page = await NewPageAsync();
        await page.OpenAsync("/pipelines/DailySales");
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "15");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-edges", "14");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-collapsed", "0");
        await Assertions.Expect(page.GetByTestId("graph-note")).ToBeHiddenAsync();
    }

    /// <summary>Where the drawn node whose id <paramref name="idExpression"/> (JavaScript, of <c>e</c>) gives is, in the graph's element.</summary>
    private static async Task<Position> PositionAsync(ILocator graph, string idExpression)
    {
        var xy = await graph.EvaluateAsync<double[]>($"e => {{ const p = e.luigiGraph.position({idExpression}); return [p.x, p.y]; }}");
        return new Position { X = (float)xy[0], Y = (float)xy[1] };
    }
}
