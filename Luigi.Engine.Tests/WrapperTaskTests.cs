using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class WrapperTaskTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task Run_RunsWhatItWraps_ThenIsDone()
    {
        var script = GraphScript.ParallelJoin();

        var result = await Engines.Create(workers: 2).RunToEndAsync([new Nightly(script, "TaskC", "TaskB")]);

        Engines.AssertSucceeded(result);
        Assert.Equal(TaskState.Done, result.StateOf("Nightly"));
        Assert.All(["TaskA", "TaskB", "TaskC"], t => Assert.Equal(TaskState.Done, result.StateOf(t)));
        Assert.Equal(1, script.Recorder.StartCount("TaskB"));
    }

    [Fact]
    public async Task Run_FindsTheWrapperComplete_WhenEverythingItWrapsIsComplete()
    {
        var script = GraphScript.ParallelJoin();
        foreach (var spec in script.Specs)
        {
            spec.WithOutput();
            script.Store.Set(spec.Name, "already there");
        }

        var result = await Engines.Create(workers: 2).RunToEndAsync([new Nightly(script, "TaskC", "TaskA")]);

        Engines.AssertSucceeded(result);
        Assert.Equal(TaskState.Complete, result.StateOf("Nightly"));
        Assert.Single(result.Graph.Nodes);
        Assert.Empty(script.Recorder.Events);
    }

    [Fact]
    public async Task Run_BlocksTheWrapper_WhenSomethingItWrapsFails()
    {
        var script = GraphScript.ParallelJoin();
        script.Define("TaskB").Runs((_, _) => throw new InvalidOperationException("no data"));

        var result = await Engines.Create(workers: 2).RunToEndAsync([new Nightly(script, "TaskC")]);

        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Nightly"));
        Assert.Equal("TaskB", result.Graph.Find("Nightly")!.BlockedBy);
        Assert.Equal(1, result.ExitCode);
    }

    private sealed class Nightly(GraphScript script, params string[] wrapped) : WrapperTask
    {
        public override IEnumerable<LuigiTask> Requires() => wrapped.Select(script.Create);
    }
}
