using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Tests.Storage;

/// <summary>
/// Luigi's guarantees across runs and hosts on one PostgreSQL: a task id runs in one attempt at a time, tasks with outputs
/// run once however many runs need them, and a resource is never held beyond its total.
/// </summary>
public sealed class TaskExclusionPostgresTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);
    private readonly string _folder = Directory.CreateTempSubdirectory("luigi-overlap-").FullName;

    public void Dispose()
    {
        _stores.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TwoHosts_TwoOverlappingRuns_NeverRunOneTaskIdInTwoAttemptsAtOnce_AndRunTasksWithOutputsOnce()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var parameters = new Dictionary<string, string> { ["folder"] = _folder, ["tasks"] = "200" };
        var started = OverlapTask.StartedSignal(_folder, 40);
        await using var one = new RunningHost(store, Executor(store, "one"));
        await using var two = new RunningHost(store, Executor(store, "two"));

        var first = await one.Executor.EnqueueAsync(new RunRequest(nameof(OverlapPipeline), parameters, RunTrigger.Api));
        await started.Task.WaitAsync(RunningHost.Guard); // the first run is well under way on both hosts
        var second = await two.Executor.EnqueueAsync(new RunRequest(nameof(OverlapPipeline), parameters, RunTrigger.Api));

        Assert.Equal(RunState.Succeeded, await one.WaitAsync(first));
        Assert.Equal(RunState.Succeeded, await one.WaitAsync(second));
        var attempts = File.ReadAllLines(Path.Combine(_folder, "attempts.log"))
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
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var resources = new Dictionary<string, int> { ["warehouse"] = 1 };
        await using var one = new RunningHost(store, Executor(store, "one", resources));
        await using var two = new RunningHost(store, Executor(store, "two", resources));

        var runs = new List<Guid>();
        foreach (var tag in new[] { "a", "b" })
        {
            runs.Add(await (tag == "a" ? one : two).Executor.EnqueueAsync(new RunRequest(nameof(WarehousePipeline),
                new Dictionary<string, string> { ["folder"] = _folder, ["tag"] = tag, ["size"] = "8" }, RunTrigger.Api)));
        }

        foreach (var run in runs)
        {
            Assert.Equal(RunState.Succeeded, await one.WaitAsync(run));
        }

        var holds = File.ReadAllLines(Path.Combine(_folder, "attempts.log")).Select(line => line.Split('|')).ToList();
        Assert.Equal(32, holds.Count); // 16 tasks, a start and an end each
        var held = 0;
        foreach (var line in holds.OrderBy(l => long.Parse(l[2], CultureInfo.InvariantCulture)).ThenBy(l => l[0] == "end" ? 0 : 1))
        {
            held += line[0] == "start" ? 1 : -1;
            Assert.InRange(held, 0, 1);
        }
    }

    private static StoreExecutor Executor(LuigiStore store, string name, Dictionary<string, int>? resources = null) =>
        new(store, Pipelines, new LuigiEngineOptions { Workers = 2, Resources = resources ?? [] }, StoreFactory.FastOptions(), hostName: name);

    private static PipelineRegistry Pipelines { get; } = new PipelineRegistry().Add(typeof(OverlapPipeline)).Add(typeof(WarehousePipeline));
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
