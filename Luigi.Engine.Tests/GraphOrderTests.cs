using Luigi.Engine.Graph;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class GraphOrderTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task Run_NamesTheCycle_AndRunsNothing()
    {
        var script = new GraphScript();
        script.Define("TaskB").Requires("TaskA");
        script.Define("TaskA").Requires("TaskC");
        script.Define("TaskC").Requires("TaskA");
        var observer = new TransitionRecorder();

        var error = await Assert.ThrowsAsync<DependencyCycleException>(
            () => Engines.Create(workers: 2, observers: observer).RunToEndAsync(script.Roots("TaskB")));

        string[] eitherWayRound = ["TaskA -> TaskC -> TaskA", "TaskC -> TaskA -> TaskC"];
        Assert.True(eitherWayRound.Any(error.Message.Contains), error.Message);
        Assert.DoesNotContain("TaskB", error.Message);
        AssertIsCycleInRunOrder(script, error.Cycle);
        Assert.Empty(script.Recorder.Events);
        Assert.Equal(0, observer.RunsStarted);
        Assert.Empty(observer.Transitions);
    }

    [Fact]
    public async Task Run_NamesALongerCycleInRunOrder()
    {
        var script = new GraphScript();
        script.Define("Load").Requires("Transform");
        script.Define("Transform").Requires("Extract");
        script.Define("Extract").Requires("Load");

        var error = await Assert.ThrowsAsync<DependencyCycleException>(() => Engines.Create(workers: 1).RunToEndAsync(script.Roots("Load")));

        Assert.Equal(4, error.Cycle.Count);
        AssertIsCycleInRunOrder(script, error.Cycle);
        Assert.Contains(string.Join(" -> ", error.Cycle), error.Message);
        Assert.Empty(script.Recorder.Events);
    }

    [Fact]
    public async Task Run_NamesATaskThatRequiresItself()
    {
        var script = new GraphScript();
        script.Define("TaskA").Requires("TaskA");

        var error = await Assert.ThrowsAsync<DependencyCycleException>(() => Engines.Create(workers: 1).RunToEndAsync(script.Roots("TaskA")));

        Assert.Equal(["TaskA", "TaskA"], error.Cycle);
        Assert.Contains("TaskA -> TaskA", error.Message);
    }

    [Fact]
    public async Task ComputeCriticalPaths_CountsTheLongestChainOfWorkDownstream()
    {
        var script = GraphScript.ComplexExample();

        var graph = await GraphBuilder.BuildAsync(script.Roots(), maxParallelChecks: 4, CancellationToken.None);

        var expected = new Dictionary<string, double>
        {
            ["TaskA"] = 3, ["TaskB"] = 3, ["TaskD"] = 3,
            ["TaskC"] = 2, ["TaskE"] = 2, ["TaskF"] = 2,
            ["TaskG"] = 1,
        };
        Assert.Equal(expected, graph.Nodes.ToDictionary(n => n.TaskId, n => n.CriticalPath));
    }

    [Fact]
    public async Task TopologicalOrder_PutsEveryRequirementBeforeItsDependents()
    {
        var graph = await GraphBuilder.BuildAsync(GraphScript.ComplexExample().Roots(), maxParallelChecks: 4, CancellationToken.None);

        var order = GraphOrder.TopologicalOrder(graph);

        var position = order.Select((node, at) => (node, at)).ToDictionary(p => p.node, p => p.at);
        Assert.Equal(graph.Nodes.Count, order.Length);
        Assert.Equal(6, graph.EdgeCount);
        Assert.All(graph.Edges(), e => Assert.True(position[e.Requirement.Index] < position[e.Dependent.Index], $"{e.Requirement.TaskId} after {e.Dependent.TaskId}"));
    }

    /// <summary>First and last are the same task, and each task requires the one before it.</summary>
    private static void AssertIsCycleInRunOrder(GraphScript script, IReadOnlyList<string> cycle)
    {
        Assert.Equal(cycle[0], cycle[^1]);
        for (var i = 1; i < cycle.Count; i++)
        {
            var requirements = script.Specs.Single(s => s.Name == cycle[i]).Requirements;
            Assert.Contains(cycle[i - 1], requirements);
        }
    }
}
