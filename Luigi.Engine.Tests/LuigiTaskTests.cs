using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

/// <summary>The identity of a task: family plus significant parameters, and what follows from it.</summary>
public sealed class LuigiTaskTests() : EngineTests(QueueKind.Memory)
{
    private static readonly DateOnly Day = new(2026, 11, 26);

    [Fact]
    public void TaskId_IsTheFamilyAlone_WithoutSignificantParameters()
    {
        Assert.Equal("Cleanup", new Cleanup().TaskId);
        Assert.Equal("Cleanup", new Cleanup { Verbose = true }.TaskId);
    }

    [Fact]
    public void TaskId_ListsTheSignificantParametersByName()
    {
        Assert.Equal("Aggregate(date=2026-11-26)", new Aggregate { Date = Day }.TaskId);
        Assert.Equal(
            "ExportReport(columns=[id,total], date=2026-11-26, limit=100, maxRows=, region=Us, shards=[1,2], since=)",
            new ExportReport { Date = Day, Region = Region.Us, Shards = [1, 2] }.TaskId);
    }

    [Fact]
    public void TaskId_IsTheSame_ForTheSameParameters()
    {
        Assert.Equal(new Aggregate { Date = Day, Workers = 4 }.TaskId, new Aggregate { Date = Day, Workers = 4 }.TaskId);
    }

    [Fact]
    public void TaskId_IgnoresInsignificantParameters()
    {
        Assert.Equal(new Aggregate { Date = Day, Workers = 1 }.TaskId, new Aggregate { Date = Day, Workers = 16 }.TaskId);
        Assert.Equal(
            new ExportReport { Date = Day, DryRun = true, PollInterval = TimeSpan.FromMinutes(1) }.TaskId,
            new ExportReport { Date = Day }.TaskId);
    }

    [Fact]
    public void TaskId_DoesNotDependOnTheOrderParametersAreDeclaredIn()
    {
        var one = new DeclaredOneWay.Export { Table = "orders", Day = Day };
        var other = new DeclaredTheOtherWay.Export { Table = "orders", Day = Day };

        Assert.Equal("Export(day=2026-11-26, table=orders)", one.TaskId);
        Assert.Equal(one.TaskId, other.TaskId);
    }

    [Fact]
    public void TaskId_Differs_WhenASignificantValueDiffers()
    {
        var tasks = new LuigiTask[]
        {
            new Aggregate { Date = Day },
            new Aggregate { Date = Day.AddDays(1) },
            new ExportReport { Date = Day },
            new ExportReport { Date = Day, Region = Region.Apac },
            new ExportReport { Date = Day, Columns = ["id"] },
            new ExportReport { Date = Day, MaxRows = 10 },
        };

        Assert.Equal(tasks.Length, tasks.Select(t => t.TaskId).Distinct().Count());
    }

    [Fact]
    public void TaskId_UsesTheParameterNameAndFamilyOverrides()
    {
        Assert.Equal("daily-load(day=2026-11-26)", new Renamed { Date = Day }.TaskId);
    }

    [Fact]
    public async Task Run_RunsOneTaskPerDistinctId()
    {
        LuigiTask[] roots = [new Aggregate { Date = Day, Workers = 1 }, new Aggregate { Date = Day.AddDays(1) }, new Aggregate { Date = Day, Workers = 8 }];

        var result = await Engines.Create(workers: 2).RunToEndAsync(roots);

        Engines.AssertSucceeded(result);
        Assert.Equal(["Aggregate(date=2026-11-26)", "Aggregate(date=2026-11-27)"], result.Graph.Nodes.Select(n => n.TaskId));
    }

    [Fact]
    public void DescribeParameters_ListsEveryParameterFormatted_InNameOrder()
    {
        var described = new Aggregate { Date = Day, Workers = 3 }.DescribeParameters();

        Assert.Equal([new("date", "2026-11-26"), new KeyValuePair<string, string>("workers", "3")], described);
    }

    [Fact]
    public void Input_IsTheOutputsOfTheRequirements_InOrder()
    {
        var store = new InMemoryTargetStore();
        var task = new Combine(store);

        Assert.Equal(["memory:left", "memory:right"], task.Input().Select(t => t.ToString()));
    }

    [Fact]
    public async Task CompleteAsync_IsFalse_WithoutOutputs_AndTrueOnlyWhenEveryOutputExists()
    {
        var store = new InMemoryTargetStore();
        var task = new Combine(store);

        Assert.False(await new Cleanup().CompleteAsync(CancellationToken.None));
        Assert.False(await task.CompleteAsync(CancellationToken.None));
        store.Set("left", "");
        Assert.False(await task.CompleteAsync(CancellationToken.None));
        store.Set("right", "");
        Assert.True(await task.CompleteAsync(CancellationToken.None));
    }

    [Fact]
    public void TaskId_QuotesStrings_SoThatDifferentValuesNeverShareAnId()
    {
        var one = new Pair { A = "x, b=y", B = "z" };
        var other = new Pair { A = "x", B = "y, b=z" };
        var listOfOne = new Pair { A = "", B = "", Tags = ["eu,us"] };
        var listOfTwo = new Pair { A = "", B = "", Tags = ["eu", "us"] };

        Assert.Equal("Pair(a=\"x, b=y\", b=z, tags=[])", one.TaskId);
        Assert.Equal("Pair(a=x, b=\"y, b=z\", tags=[])", other.TaskId);
        Assert.Equal("Pair(a=\"\", b=\"\", tags=[\"eu,us\"])", listOfOne.TaskId);
        Assert.Equal("Pair(a=\"\", b=\"\", tags=[eu,us])", listOfTwo.TaskId);
        Assert.Equal("Pair(a=\"say \\\"hi\\\"\", b=plain, tags=[])", new Pair { A = "say \"hi\"", B = "plain" }.TaskId);
    }

    private sealed class Pair : LuigiTask
    {
        [Parameter]
        public string A { get; init; } = "";

        [Parameter]
        public string B { get; init; } = "";

        [Parameter]
        public string[] Tags { get; init; } = [];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Cleanup : LuigiTask
    {
        [Parameter(Significant = false)]
        public bool Verbose { get; init; }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Aggregate : LuigiTask
    {
        [Parameter]
        public DateOnly Date { get; init; }

        [Parameter(Significant = false)]
        public int Workers { get; init; } = 2;

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Renamed : LuigiTask
    {
        public override string Family => "daily-load";

        [Parameter(Name = "day")]
        public DateOnly Date { get; init; }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Combine(InMemoryTargetStore store) : LuigiTask
    {
        public override IEnumerable<LuigiTask> Requires() => [new Side(store, "left"), new Side(store, "right")];

        public override IEnumerable<Target> Output() => [store.Target("left"), store.Target("right")];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Side(InMemoryTargetStore store, string key) : LuigiTask
    {
        public override string Family => "Side" + key;

        public override IEnumerable<Target> Output() => [store.Target(key)];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static class DeclaredOneWay
    {
        public sealed class Export : LuigiTask
        {
            [Parameter]
            public string Table { get; init; } = "";

            [Parameter]
            public DateOnly Day { get; init; }

            public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
        }
    }

    private static class DeclaredTheOtherWay
    {
        public sealed class Export : LuigiTask
        {
            [Parameter]
            public DateOnly Day { get; init; }

            [Parameter]
            public string Table { get; init; } = "";

            public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
        }
    }
}
