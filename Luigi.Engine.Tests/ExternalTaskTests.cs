using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class ExternalTaskTests(QueueKind queue) : EngineTests(queue)
{
    private static readonly DateOnly Day = new(2026, 11, 26);

    [Fact]
    public async Task Run_FailsTheExternalTaskNamingIt_AndBlocksItsDependents_WhenItsOutputIsMissing()
    {
        var script = new GraphScript();
        script.Define("ImportVendorFile").RequiresTask(() => new VendorDrop(script.Store) { Date = Day });
        script.Define("Independent");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("ImportVendorFile", "Independent"));

        var drop = result.Graph.Find("VendorDrop(date=2026-11-26)")!;
        Assert.Equal(TaskState.Failed, drop.State);
        Assert.Equal("External dependency VendorDrop(date=2026-11-26) is missing: memory:vendor/2026-11-26.csv does not exist.", drop.Error);
        Assert.Empty(drop.Attempts);
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("ImportVendorFile"));
        Assert.Equal("VendorDrop(date=2026-11-26)", result.Graph.Find("ImportVendorFile")!.BlockedBy);
        Assert.False(script.Recorder.HasStarted("ImportVendorFile"));
        Assert.Equal(TaskState.Done, result.StateOf("Independent"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("VendorDrop(date=2026-11-26): External dependency VendorDrop(date=2026-11-26) is missing", result.Summary.ToString());
    }

    [Fact]
    public async Task Run_TakesTheExternalTaskAsComplete_WhenItsOutputExists()
    {
        var script = new GraphScript();
        script.Store.Set("vendor/2026-11-26.csv", "id,amount");
        script.Define("ImportVendorFile").RequiresTask(() => new VendorDrop(script.Store) { Date = Day });

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        Assert.Equal(TaskState.Complete, result.StateOf("VendorDrop(date=2026-11-26)"));
        Assert.Equal(TaskState.Done, result.StateOf("ImportVendorFile"));
    }

    private sealed class VendorDrop(InMemoryTargetStore store) : ExternalTask
    {
        [Parameter]
        public DateOnly Date { get; init; }

        public override IEnumerable<Target> Output() => [store.Target($"vendor/{Date:yyyy-MM-dd}.csv")];
    }
}
