using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

/// <summary>Which ready task a free worker takes: priority first, then the longest chain still downstream.</summary>
public abstract class ReadyQueueTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task Run_StartsHigherPriorityFirst_AmongReadyTasks()
    {
        var script = new GraphScript();
        script.Define("Low").WithPriority(1);
        script.Define("High").WithPriority(50);
        script.Define("Middle").WithPriority(10);
        script.Define("Default");

        var result = await Engines.Create(workers: 1).RunToEndAsync(script.Roots("Low", "High", "Middle", "Default"));

        Engines.AssertSucceeded(result);
        Assert.Equal(["High", "Middle", "Low", "Default"], script.Recorder.StartOrder);
    }

    [Fact]
    public async Task Run_PrefersPriorityOverALongerChain()
    {
        var script = new GraphScript();
        script.Define("Chain1");
        script.Define("Chain2").Requires("Chain1");
        script.Define("Chain3").Requires("Chain2");
        script.Define("Urgent").WithPriority(1);

        var result = await Engines.Create(workers: 1).RunToEndAsync(script.Roots("Chain3", "Urgent"));

        Engines.AssertSucceeded(result);
        Assert.Equal("Urgent", script.Recorder.StartOrder[0]);
    }

    [Fact]
    public async Task Run_PrefersTheLongerChainDownstream_AtEqualPriority()
    {
        var script = GraphScript.ComplexExample();

        var result = await Engines.Create(workers: 1).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        var order = script.Recorder.StartOrder;
        Assert.Equal(["TaskA", "TaskB", "TaskD"], order.Take(3).Order(StringComparer.Ordinal));
        Assert.True(order.ToList().IndexOf("TaskD") < order.ToList().IndexOf("TaskF"), string.Join(", ", order));
    }

    [Fact]
    public async Task Run_FinishesTheComplexExampleInFourSteps_WithTwoWorkers()
    {
        var script = GraphScript.ComplexExample();
        var lockstep = new Lockstep();
        foreach (var spec in script.Specs)
        {
            var name = spec.Name;
            spec.Runs((_, _) => lockstep.EnterAsync(name));
        }

        var run = Engines.Create(workers: 2).RunToEndAsync(script.Roots());
        var steps = new List<IReadOnlyList<string>>();
        foreach (var size in new[] { 2, 2, 2, 1 })
        {
            steps.Add(await lockstep.ReleaseRoundAsync(size));
        }

        var result = await run;

        Engines.AssertSucceeded(result);
        Assert.Equal(
            [["TaskA", "TaskB"], ["TaskC", "TaskD"], ["TaskE", "TaskF"], ["TaskG"]],
            steps);
    }
}
