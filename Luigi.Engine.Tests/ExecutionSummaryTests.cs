using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class ExecutionSummaryTests(QueueKind queue) : EngineTests(queue)
{
    [Fact]
    public async Task ToString_NamesTheFailureWithItsFirstErrorLine_AndWhatItBlocked()
    {
        var script = new GraphScript();
        script.Define("Load").WithRetry(RetryPolicy.Fixed(1, TimeSpan.Zero))
            .Runs((_, _) => throw new IOException("disk full" + Environment.NewLine + "while writing /data/orders.csv"));
        script.Define("Transform").Requires("Load");
        script.Define("Prebuilt").WithOutput();
        script.Store.Set("Prebuilt", "from yesterday");
        script.Define("Audit").Requires("Prebuilt");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("Transform", "Audit"));
        var text = result.Summary.ToString();

        Assert.Contains("Scheduled 4 tasks of which:", text);
        Assert.Contains("* 1 were already complete (skipped):" + Environment.NewLine + "    - Prebuilt", text);
        Assert.Contains("* 1 ran successfully:" + Environment.NewLine + "    - Audit", text);
        Assert.Contains("* 1 failed:" + Environment.NewLine + "    - Load (after 2 attempts): System.IO.IOException: disk full" + Environment.NewLine, text);
        Assert.DoesNotContain("/data/orders.csv", text);
        Assert.Contains("* 1 were blocked by failed dependencies:" + Environment.NewLine + "    - Transform, blocked by Load", text);
        Assert.Contains(":( because there were failed tasks", text);
        Assert.Equal(["Load"], result.Summary.Failed.Select(n => n.TaskId));
        Assert.Equal(["Transform"], result.Summary.Blocked.Select(n => n.TaskId));
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task ToString_SaysSo_WhenNothingFailed()
    {
        var result = await Engines.Create(workers: 2).RunToEndAsync(GraphScript.ParallelJoin().Roots());

        var text = result.Summary.ToString();

        Assert.Contains("Scheduled 3 tasks of which:", text);
        Assert.Contains("* 3 ran successfully:", text);
        Assert.Contains(":) because there were no failed tasks", text);
        Assert.DoesNotContain("failed:", text);
        Assert.StartsWith("===== Luigi Execution Summary =====", text);
    }

    [Fact]
    public async Task ToString_GroupsManyTasksOfOneFamily()
    {
        var result = await Engines.Create(workers: 2).RunToEndAsync([new AllParts()]);

        var text = result.Summary.ToString();

        Assert.Contains("* 6 ran successfully:", text);
        Assert.Contains("    - 5 Part: Part(number=1), Part(number=2), Part(number=3), ... and 2 more", text);
        Assert.Contains("    - AllParts", text);
    }

    private sealed class Part : LuigiTask
    {
        [Parameter]
        public int Number { get; init; }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class AllParts : WrapperTask
    {
        public override IEnumerable<LuigiTask> Requires() => Enumerable.Range(1, 5).Select(i => new Part { Number = i });
    }
}
