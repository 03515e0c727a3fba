using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Storage;

/// <summary>
/// Luigi's guarantees across runs and hosts on one PostgreSQL: a task id runs in one attempt at a time, tasks with outputs
/// run once however many runs need them, and a resource is never held beyond its total.
/// </summary>
public sealed class TaskExclusionPostgresTests(PostgresServer postgres) : PostgresStoreTests(postgres, "luigi-overlap-")
{
    [Fact]
    public async Task TwoHosts_TwoOverlappingRuns_NeverRunOneTaskIdInTwoAttemptsAtOnce_AndRunTasksWithOutputsOnce()
    {
        var store = await Stores.CreateAsync(StoreProvider.Postgres);
        var parameters = new Dictionary<string, string> { ["folder"] = Folder, ["tasks"] = "200" };
        var started = OverlapTask.StartedSignal(Folder, 40);
        await using var one = new RunningHost(store, Executor(store, "one"));
        await using var two = new RunningHost(store, Executor(store, "two"));

        var first = await one.Executor.EnqueueAsync(new RunRequest(nameof(OverlapPipeline), parameters, RunTrigger.Api));
        await started.Task.WaitAsync(RunningHost.Guard); // the first run is well under way on both hosts
        var second = await two.Executor.EnqueueAsync(new RunRequest(nameof(OverlapPipeline), parameters, RunTrigger.Api));

        Assert.Equal(RunState.Succeeded, await one.WaitAsync(first));
        Assert.Equal(RunState.Succeeded, await one.WaitAsync(second));
        var attempts = File.ReadAllLines(Path.Combine(Folder, "attempts.log"))
            .Select(line => line.Split('|'))
            .GroupBy(f => f[1])
            .ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (taskId, lines) in attempts)
        {
            var intervals = lines.Where(l => l[0] == "start").Select(l => long.Parse(l[2], CultureInfo.InvariantCulture)).Order()
                .Zip(lines.Where(l => l[0] == "end").Select(l => long.Parse(l[2], CultureInfo.InvariantCulture)).Order())
                .ToList();
            Assert.Equal(lines.Count, intervals.Count * 2);
            for (var i = 1; i < intervals.Count; i++)
            {
                Assert.True(intervals[i].First >= intervals[i - 1].Second, $"{taskId}: an attempt started before the one before it ended");
            }
        }

        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.Where(t => t.RunId == first || t.RunId == second).ToListAsync();
        foreach (var byId in tasks.GroupBy(t => t.TaskId))
        {
            // Each attempt that ran is one Done; a run that found the task made by the other has it Complete.
            Assert.Equal(byId.Count(t => t.State == TaskState.Done), attempts.GetValueOrDefault(byId.Key)?.Count(l => l[0] == "start") ?? 0);
        }

        var withOutputs = tasks.Where(t => OverlapTask.HasOutput(int.Parse(t.Parameters["index"], CultureInfo.InvariantCulture))).ToList();
        Assert.All(withOutputs.GroupBy(t => t.TaskId), byId => Assert.Single(byId, t => t.State == TaskState.Done)); // ran once for both runs
        Assert.Contains(tasks, t => t.RunId == second && t.State == TaskState.Complete);
        Assert.All(tasks.Where(t => !OverlapTask.HasOutput(int.Parse(t.Parameters["index"], CultureInfo.InvariantCulture))),
            t => Assert.Equal(TaskState.Done, t.State)); // never complete: ran in each run that has it, one attempt at a time
    }

    [Fact]
    public async Task ResourceOfTotalOne_IsNeverHeldByTwoAttemptsAtOnce_AcrossTwoHosts()
    {
        var store = await Stores.CreateAsync(StoreProvider.Postgres);
        var resources = new Dictionary<string, int> { ["warehouse"] = 1 };
        await using var one = new RunningHost(store, Executor(store, "one", resources));
        await using var two = new RunningHost(store, Executor(store, "two", resources));

        var runs = new List<Guid>();
        foreach (var tag in new[] { "a", "b" })
        {
            runs.Add(await (tag == "a" ? one : two).Executor.EnqueueAsync(new RunRequest(nameof(WarehousePipeline),
                new Dictionary<string, string> { ["folder"] = Folder, ["tag"] = tag, ["size"] = "8" }, RunTrigger.Api)));
        }

        foreach (var run in runs)
        {
            Assert.Equal(RunState.Succeeded, await one.WaitAsync(run));
        }

        var holds = File.ReadAllLines(Path.Combine(Folder, "attempts.log")).Select(line => line.Split('|')).ToList();
        Assert.Equal(32, holds.Count); // 16 tasks, a start and an end each
        var held = 0;
        foreach (var line in holds.OrderBy(l => long.Parse(l[2], CultureInfo.InvariantCulture)).ThenBy(l => l[0] == "end" ? 0 : 1))
        {
            held += line[0] == "start" ? 1 : -1;
            Assert.InRange(held, 0, 1);
        }
    }

    [Fact]
    public async Task ResourceUse_ShowsTheHolderAndWhatWaitsForIt_WhileTheTotalIsTaken()
    {
        var store = await Stores.CreateAsync(StoreProvider.Postgres);
        var resources = new Dictionary<string, int> { ["warehouse"] = 1, ["printer"] = 2 };
        var changes = new TaskChangeWaiter();
        await using var host = new RunningHost(store, Executor(store, "one", resources, changes));
        var key = Guid.NewGuid().ToString("N");

        var run = await host.Executor.EnqueueAsync(new RunRequest(nameof(GatedWarehousePipeline), new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api));
        await changes.WaitAsync(c => c.RunId == run && c.State == TaskState.Running).WaitAsync(RunningHost.Guard);

        var use = await new RunReader(store).GetResourcesAsync(resources);
        Assert.Equal(["printer", "warehouse"], use.Select(u => u.Name));
        var warehouse = use[1];
        Assert.Equal((1, 1, 1), (warehouse.Total, warehouse.Used, warehouse.WaitingCount));
        var holder = Assert.Single(warehouse.Holders);
        var waiting = Assert.Single(warehouse.Waiting);
        Assert.Equal(["GatedWarehouseLoad(number=0)", "GatedWarehouseLoad(number=1)"], new[] { holder.TaskId, waiting.TaskId }.Order());
        Assert.Equal((0, 0), (use[0].Used, use[0].WaitingCount));

        GatedWarehouseLoad.Open(key);
        Assert.Equal(RunState.Succeeded, await host.WaitAsync(run));
        Assert.Equal(0, (await new RunReader(store).GetResourcesAsync(resources))[1].Used);
    }

    private static StoreExecutor Executor(LuigiStore store, string name, Dictionary<string, int>? resources = null, IRunObserver? observer = null) =>
        new(store, Pipelines, new LuigiEngineOptions { Workers = 2, Resources = resources ?? [] }, StoreFactory.FastOptions(), hostName: name,
            observers: observer is null ? null : [observer]);

    private static PipelineRegistry Pipelines { get; } =
        new PipelineRegistry().Add(typeof(OverlapPipeline)).Add(typeof(WarehousePipeline)).Add(typeof(GatedWarehousePipeline));
}

/// <summary>Appends a start and an end line per attempt, with a monotonic timestamp, to <c>attempts.log</c> in a folder.</summary>
internal static class AttemptLog
{
    private static readonly ConcurrentDictionary<string, object> Locks = new();

    public static void Write(string folder, string what, string taskId)
    {
        var path = Path.Combine(folder, "attempts.log");
        lock (Locks.GetOrAdd(path, _ => new object()))
        {
            File.AppendAllText(path, $"{what}|{taskId}|{Stopwatch.GetTimestamp()}\n");
        }
    }
}

/// <summary>200 tasks in layers of 10, each requiring three of the layer before; even ones write a file.</summary>
public sealed class OverlapPipeline : Pipeline
{
    [Parameter] public string Folder { get; init; } = "";

    [Parameter] public int Tasks { get; init; } = 200;

    public override IEnumerable<LuigiTask> Roots() =>
        Enumerable.Range(Tasks - 10, 10).Select(i => new OverlapTask { Index = i, Folder = Folder });
}

public sealed class OverlapTask : LuigiTask
{
    private static readonly ConcurrentDictionary<string, Countdown> Started = new();

    [Parameter] public int Index { get; init; }

    [Parameter(Significant = false)] public string Folder { get; init; } = "";

    public static bool HasOutput(int index) => index % 2 == 0;

    /// <summary>Completes once <paramref name="count"/> attempts have started with this folder.</summary>
    public static TaskCompletionSource StartedSignal(string folder, int count) => (Started[folder] = new Countdown(count)).Signal;

    public override IEnumerable<LuigiTask> Requires() =>
        Index < 10 ? [] : new[] { 0, Index % 10, 9 }.Distinct().Select(offset => new OverlapTask { Index = Index / 10 * 10 - 10 + offset, Folder = Folder });

    public override IEnumerable<Target> Output() =>
        HasOutput(Index) ? [new LocalFileTarget(Path.Combine(Folder, "out", $"{Index}.txt"))] : [];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        AttemptLog.Write(Folder, "start", TaskId);
        if (Started.TryGetValue(Folder, out var started))
        {
            started.Tick();
        }

        await Task.Delay(2, cancellationToken); // some work, so that attempts of the two runs meet
        foreach (var output in Output().Cast<LocalFileTarget>())
        {
            await output.WriteAllLinesAsync([TaskId], cancellationToken);
        }

        AttemptLog.Write(Folder, "end", TaskId);
    }

    private sealed class Countdown(int count)
    {
        private int _left = count;

        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Tick()
        {
            if (Interlocked.Decrement(ref _left) == 0)
            {
                Signal.TrySetResult();
            }
        }
    }
}

/// <summary>Independent tasks that each hold the one slot of <c>warehouse</c> while they run.</summary>
public sealed class WarehousePipeline : Pipeline
{
    [Parameter] public string Folder { get; init; } = "";

    [Parameter] public string Tag { get; init; } = "";

    [Parameter] public int Size { get; init; }

    public override IEnumerable<LuigiTask> Roots() => Enumerable.Range(0, Size).Select(i => new WarehouseLoad { Folder = Folder, Tag = Tag, Number = i });
}

public sealed class WarehouseLoad : LuigiTask
{
    [Parameter(Significant = false)] public string Folder { get; init; } = "";

    [Parameter] public string Tag { get; init; } = "";

    [Parameter] public int Number { get; init; }

    public override IReadOnlyDictionary<string, int> Resources => new Dictionary<string, int> { ["warehouse"] = 1 };

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        AttemptLog.Write(Folder, "start", TaskId);
        await Task.Delay(20, cancellationToken); // some work, so that the other host's polls try to claim meanwhile
        AttemptLog.Write(Folder, "end", TaskId);
    }
}

/// <summary>Two tasks that each need the one slot of <c>warehouse</c>; each waits for the test's go.</summary>
public sealed class GatedWarehousePipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new GatedWarehouseLoad { Key = Key, Number = 0 }, new GatedWarehouseLoad { Key = Key, Number = 1 }];
}

public sealed class GatedWarehouseLoad : LuigiTask
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    [Parameter(Significant = false)] public string Key { get; init; } = "";

    [Parameter] public int Number { get; init; }

    public override IReadOnlyDictionary<string, int> Resources => new Dictionary<string, int> { ["warehouse"] = 1 };

    public static void Open(string key) => Gate(key).TrySetResult();

    private static TaskCompletionSource Gate(string key) => Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Gate(Key).Task.WaitAsync(cancellationToken);
}
