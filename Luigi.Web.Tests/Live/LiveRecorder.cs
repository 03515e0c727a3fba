using Luigi.Engine;
using Luigi.Web.Live;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Live;

/// <summary>Keeps every batch a subscriber was handed and lets a test wait, within a guard, until what it holds satisfies a condition.</summary>
internal sealed class LiveRecorder
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private readonly List<LiveBatch> _batches = [];
    private readonly List<(Func<IReadOnlyList<LiveBatch>, bool> Condition, TaskCompletionSource Done)> _waiting = [];

    /// <summary>The handler to subscribe.</summary>
    public Task OnBatch(LiveBatch batch)
    {
        Add(batch);
        return Task.CompletedTask;
    }

    public void Add(LiveBatch batch)
    {
        lock (_lock)
        {
            _batches.Add(batch);
            foreach (var waiter in _waiting.Where(w => w.Condition(_batches)).ToList())
            {
                _waiting.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    public IReadOnlyList<LiveBatch> Batches
    {
        get
        {
            lock (_lock)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<TaskChange> Tasks(Guid runId) => [.. Batches.SelectMany(b => b.Tasks).Where(t => t.RunId == runId)];

    public IReadOnlyList<RunState> RunStates(Guid runId) => [.. Batches.SelectMany(b => b.Runs).Where(r => r.RunId == runId).Select(r => r.State)];

    /// <summary>Completes once the batches received satisfy <paramref name="condition"/>; fails after <see cref="Guard"/> with <paramref name="what"/>.</summary>
    public async Task WaitAsync(Func<IReadOnlyList<LiveBatch>, bool> condition, string what)
    {
        Task done;
        lock (_lock)
        {
            if (condition(_batches))
            {
                return;
            }

            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((condition, source));
            done = source.Task;
        }

        try
        {
            await done.WaitAsync(Guard);
        }
        catch (TimeoutException)
        {
            var seen = Batches;
            throw new TimeoutException(
                $"Waited {Guard} for {what}; got {seen.Count} batches: {seen.Sum(b => b.Tasks.Count)} task changes, " +
                $"run changes [{string.Join(", ", seen.SelectMany(b => b.Runs).Select(r => r.State))}], {seen.Count(b => b.Resync)} resyncs.");
        }
    }

    /// <summary>Waits until the run has finished in <paramref name="state"/> (a run change says so).</summary>
    public Task WaitForRunAsync(Guid runId, RunState state) =>
        WaitAsync(batches => batches.SelectMany(b => b.Runs).Any(r => r.RunId == runId && r.State == state), $"run {runId} {state}");

    /// <summary>Each task's latest state by <see cref="TaskChange.Order"/>, as a client applying the ordering rule holds it.</summary>
    public IReadOnlyDictionary<string, TaskState> LatestStates(Guid runId) =>
        Tasks(runId).GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.MaxBy(t => t.Order)!.State);
}

/// <summary>A pipeline whose first task waits until the test opens its gate: changes after that are certain to reach a watcher set up before.</summary>
public sealed class LiveGatePipeline : Pipeline
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    [Parameter] public string Key { get; init; } = "";

    public static void Open(string key) => Gate(key).TrySetResult();

    internal static TaskCompletionSource Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public override IEnumerable<LuigiTask> Roots() => [new AfterGate { Key = Key }];
}

public sealed class GateTask : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
        LiveGatePipeline.Gate(Key).Task.WaitAsync(cancellationToken);
}

public sealed class AfterGate : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Requires() => [new GateTask { Key = Key }];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
