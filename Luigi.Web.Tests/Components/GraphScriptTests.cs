using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// The graph's pure functions in Node.js (<c>client/test/views.test.mjs</c>): what a selection lights, which the edges
/// of a big view, drawn on a canvas rather than as Cytoscape elements, take from <c>lineage</c> instead of Cytoscape.
/// </summary>
public sealed class GraphScriptTests
{
    [Fact]
    public async Task Lineage_LightsWhatCytoscapesPredecessorsAndSuccessorsWould()
    {
        var output = await NodeTests.RunAsync("views.test.mjs");
        Assert.Contains("# pass 3", output);
        Assert.Contains("# fail 0", output);
    }
}
