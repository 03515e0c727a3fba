using Bunit;
using Luigi.Web.Components.Pipelines;
using Luigi.Web.Components.Runs;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task Graph_LeftWhileItsScriptLoads_IsNeverMounted_AndTheModuleIsReleased()
    {
        // The script arrives only after the page was left (a user who clicks on quickly, a slow machine): mounting
        // then would use a disposed callback reference and end the whole circuit.
        await using var context = new BunitContext();
        var js = new SlowImportRuntime();
        context.Services.AddSingleton<IJSRuntime>(js);
        var graph = context.Render<JobNetGraph>(p => p.Add(g => g.RunId, Guid.NewGuid()));
        graph.WaitForAssertion(() => Assert.True(js.Import.Task.IsCompleted || js.Asked));

        await graph.Instance.DisposeAsync();
        var module = new RecordingModule();
        await graph.InvokeAsync(() => js.Import.SetResult(module));

        graph.WaitForAssertion(() => Assert.True(module.Disposed));
        Assert.Empty(module.Calls);
    }

    /// <summary>A browser whose module import completes when the test says (bUnit's stand-in answers at once).</summary>
    private sealed class SlowImportRuntime : IJSRuntime
    {
        public TaskCompletionSource<IJSObjectReference> Import { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Asked { get; private set; }

        public async ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args)
        {
            Asked = true;
            return (TValue)await Import.Task;
        }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            InvokeAsync<TValue>(identifier, args);
    }

    /// <summary>A module that only records what it is asked.</summary>
    private sealed class RecordingModule : IJSObjectReference
    {
        public List<string> Calls { get; } = [];

        public bool Disposed { get; private set; }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args)
        {
            Calls.Add(identifier);
            return ValueTask.FromResult(default(TValue)!);
        }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            InvokeAsync<TValue>(identifier, args);

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
