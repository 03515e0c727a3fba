using Luigi.Engine.Events;
using Luigi.Engine.Execution;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

/// <summary>What an <see cref="IRunObserver"/> (the console, the live feed, e-mail, telemetry) hears of a run.</summary>
public abstract class ExecutionObserverTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task Run_ReportsEveryTransitionOfEveryTask()
    {
        var script = new GraphScript();
        script.Define("Extract");
        script.Define("Flaky").FailsFirst(1).WithRetry(RetryPolicy.Fixed(1, TimeSpan.Zero));
        script.Define("Join").Requires("Extract", "Flaky");
        script.Define("Broken").Runs((_, _) => throw new InvalidOperationException("broken"));
        script.Define("Blocked").Requires("Broken");
        var observer = new TransitionRecorder();

        var result = await Engines.Create(workers: 2, observers: observer).RunToEndAsync(script.Roots("Join", "Blocked"));

        (TaskState, TaskState, int)[] ranOnce = [(TaskState.Pending, TaskState.Running, 1), (TaskState.Running, TaskState.Done, 1)];
        Assert.Equal(ranOnce, Steps("Extract"));
        Assert.Equal(ranOnce, Steps("Join"));
        Assert.Equal(
            [(TaskState.Pending, TaskState.Running, 1), (TaskState.Running, TaskState.RetryWaiting, 1), (TaskState.RetryWaiting, TaskState.Running, 2), (TaskState.Running, TaskState.Done, 2)],
            Steps("Flaky"));
        Assert.Equal([(TaskState.Pending, TaskState.Running, 1), (TaskState.Running, TaskState.Failed, 1)], Steps("Broken"));
        Assert.Equal([(TaskState.Pending, TaskState.UpstreamFailed, 0)], Steps("Blocked"));
        Assert.All(observer.Transitions, t => Assert.Equal(result.RunId, t.RunId));
        Assert.All(result.Graph.Nodes, n => Assert.Equal(n.State, observer.Of(n.TaskId)[^1].To));
        Assert.Equal(1, observer.RunsStarted);
        Assert.Same(result.Graph, observer.StartedGraph);
        Assert.Equal(1, observer.RunsFinished);
        Assert.Equal((Guid.Parse(result.RunId), RunState.Failed), observer.Finished);

        (TaskState From, TaskState To, int Attempt)[] Steps(string task) =>
            observer.Of(task).Select(t => (t.From, t.To, t.Attempt)).ToArray();
    }

    [Fact]
    public async Task Run_ReportsATaskDone_BeforeAnyDependentStarts()
    {
        var script = GraphScript.ComplexExample();
        var observer = new TransitionRecorder();

        var result = await Engines.Create(workers: 2, observers: observer).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        Assert.All(result.Graph.Edges(), edge => Assert.True(
            observer.IndexOf(edge.Requirement.TaskId, TaskState.Done) < observer.IndexOf(edge.Dependent.TaskId, TaskState.Running),
            $"{edge.Dependent.TaskId} was reported running before {edge.Requirement.TaskId} was reported done."));
    }

    [Fact]
    public async Task Run_CarriesOn_WhenAnObserverThrows()
    {
        var observer = new TransitionRecorder();

        var result = await Engines.Create(workers: 2, null, new ThrowingObserver(), observer).RunToEndAsync(GraphScript.ParallelJoin().Roots());

        Engines.AssertSucceeded(result);
        Assert.Equal(6, observer.Transitions.Count);
    }

    private sealed class ThrowingObserver : IRunObserver
    {
        public void OnTaskChanged(TaskChange change) => throw new InvalidOperationException("the database is down");
    }
}
