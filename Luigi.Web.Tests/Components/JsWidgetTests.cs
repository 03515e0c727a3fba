using Bunit;
using Luigi.Web.Components.Pipelines;
using Luigi.Web.Components.Runs;
using Microsoft.JSInterop;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// The wrappers of dashboard.js's graph and timeline, with bUnit's JS interop standing in for the browser
/// (the drawing itself is covered end to end in a real browser).
/// </summary>
public sealed class JsWidgetTests : IAsyncDisposable
{
    private readonly BunitContext _context = new();
    private readonly BunitJSModuleInterop _module;
    private readonly BunitJSModuleInterop _handle;

    public JsWidgetTests()
    {
        _module = _context.JSInterop.SetupModule("./js/dashboard.js");
        _handle = _module.SetupModule(i => i.Identifier == "mountGraph", false);
        _handle.Mode = JSRuntimeMode.Loose;
        _module.SetupModule(i => i.Identifier == "mountTimeline", false).Mode = JSRuntimeMode.Loose;
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public void Graph_IsMountedOnItsElementForItsRun_AndAClickInItSelectsTheTask()
    {
        var run = Guid.NewGuid();
        int? selected = null;
        var graph = _context.Render<JobNetGraph>(p => p.Add(g => g.RunId, run).Add(g => g.OnSelect, i => selected = i));

        graph.WaitForAssertion(() => Assert.Single(_module.Invocations, i => i.Identifier == "mountGraph"));
        Assert.Contains(run.ToString(), System.Text.Json.JsonSerializer.Serialize(_module.Invocations["mountGraph"][0].Arguments[1]));
        graph.InvokeAsync(() => graph.Instance.OnTaskSelected(4));

        Assert.Equal(4, selected);
    }

    [Fact]
    public void Graph_HighlightsTheSelectedTask()
    {
        var graph = _context.Render<JobNetGraph>(p => p.Add(g => g.RunId, Guid.NewGuid()).Add(g => g.Selected, 2));

        graph.WaitForAssertion(() => Assert.Equal(2, Assert.Single(_handle.Invocations["select"]).Arguments[0]));
        graph.Render(p => p.Add(g => g.Selected, 5));

        graph.WaitForAssertion(() => Assert.Equal(5, _handle.Invocations["select"][^1].Arguments[0]));
    }

    [Fact]
    public async Task Graph_IsDisposedWithItsComponent_AndAClosedCircuitIsNoError()
    {
        var graph = _context.Render<JobNetGraph>(p => p.Add(g => g.RunId, Guid.NewGuid()));
        graph.WaitForAssertion(() => Assert.Single(_module.Invocations, i => i.Identifier == "mountGraph"));

        await graph.Instance.DisposeAsync();

        Assert.Single(_handle.Invocations["dispose"]);
        _handle.SetupVoid("dispose").SetException(new JSDisconnectedException("gone"));
        await graph.Instance.DisposeAsync();
    }

    [Fact]
    public void PipelinePreview_AsksForThePipelinesGraphWithItsParameters()
    {
        var preview = _context.Render<PipelineGraphPreview>(p => p.Add(g => g.Pipeline, "DailySales")
            .Add(g => g.Parameters, new Dictionary<string, string> { ["days"] = "2" }));

        preview.WaitForAssertion(() => Assert.Single(_module.Invocations, i => i.Identifier == "mountGraph"));
        var options = System.Text.Json.JsonSerializer.Serialize(_module.Invocations["mountGraph"][0].Arguments[1]);
        Assert.Contains("\"pipeline\":\"DailySales\"", options);
        Assert.Contains("\"days\":\"2\"", options);
        Assert.NotNull(preview.Find("[data-testid=graph]"));
    }

    [Fact]
    public void Timeline_IsMountedForItsRun()
    {
        var run = Guid.NewGuid();
        var timeline = _context.Render<RunTimeline>(p => p.Add(g => g.RunId, run));

        timeline.WaitForAssertion(() => Assert.Single(_module.Invocations, i => i.Identifier == "mountTimeline"));
        Assert.NotNull(timeline.Find("[data-testid=timeline]"));
    }
}
