using System.Collections.Concurrent;
using Luigi.Engine;
using Npgsql;

namespace Luigi.Web.Tests.Storage;

/// <summary>What the test tasks did, by run key and task id: how many times each one's work happened.</summary>
internal static class SideEffects
{
    private static readonly ConcurrentDictionary<(string Key, string TaskId), int> Counts = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Started = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Cancelled = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Released = new();
    private static readonly ConcurrentDictionary<string, bool> Fixed = new();

    /// <summary>Outputs of the tasks that have them, shared by every run of a test.</summary>
    public static InMemoryTargetStore Outputs { get; } = new();

    /// <summary>From now on the run's FailTask succeeds: the "data" was fixed.</summary>
    public static void Fix(string key) => Fixed[key] = true;

    public static bool IsFixed(string key) => Fixed.ContainsKey(key);

    public static void Record(string key, string taskId) => Counts.AddOrUpdate((key, taskId), 1, (_, n) => n + 1);

    public static IReadOnlyDictionary<string, int> Of(string key) =>
        Counts.Where(c => c.Key.Key == key).ToDictionary(c => c.Key.TaskId, c => c.Value);

    public static TaskCompletionSource StartedSignal(string key) =>
        Started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets the long task of <paramref name="key"/> end (<see cref="LongTask"/>).</summary>
    public static TaskCompletionSource ReleasedSignal(string key) =>
        Released.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Set when a blocking task of <paramref name="key"/> saw its cancellation token fire.</summary>
    public static TaskCompletionSource CancelledSignal(string key) =>
        Cancelled.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>A layered graph whose every task records that it ran.</summary>
public sealed class CountingPipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    [Parameter] public int Tasks { get; init; } = 10;

    [Parameter] public int Width { get; init; } = 5;

    [Parameter] public string FailTask { get; init; } = "";

    [Parameter] public bool WithOutputs { get; init; }

    /// <summary>When <see cref="KillTask"/> runs, it drops every other connection to this PostgreSQL database.</summary>
    [Parameter] public string KillConnections { get; init; } = "";

    [Parameter] public string KillTask { get; init; } = "";

    /// <summary>How long each task takes after it recorded that it ran (so that a fault can hit a run in the middle).</summary>
    [Parameter] public int DelayMs { get; init; }

    public override IEnumerable<LuigiTask> Roots() =>
        Enumerable.Range(Math.Max(0, Tasks - Width), Math.Min(Width, Tasks)).Select(i => new CountingTask { Index = i, Pipeline = this });
}

public sealed class CountingTask : LuigiTask
{
    [Parameter] public int Index { get; init; }

    public required CountingPipeline Pipeline { get; init; }

    public override RetryPolicy Retry => RetryPolicy.Fixed(1, TimeSpan.Zero);

    public override IEnumerable<LuigiTask> Requires()
    {
        var layerStart = Index / Pipeline.Width * Pipeline.Width;
        if (layerStart == 0)
        {
            yield break;
        }

        var previous = layerStart - Pipeline.Width;
        foreach (var offset in new[] { 0, Index % Pipeline.Width, Pipeline.Width - 1 }.Distinct())
        {
            yield return new CountingTask { Index = previous + offset, Pipeline = Pipeline };
        }
    }

    public override IEnumerable<Target> Output() =>
        Pipeline.WithOutputs ? [SideEffects.Outputs.Target($"{Pipeline.Key}/{TaskId}")] : [];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        SideEffects.Record(Pipeline.Key, TaskId);
        context.Log($"{TaskId} ran on worker {context.Worker}");
        if (Pipeline.DelayMs > 0)
        {
            await Task.Delay(Pipeline.DelayMs, cancellationToken);
        }

        if (TaskId == Pipeline.FailTask && !SideEffects.IsFixed(Pipeline.Key))
        {
            throw new InvalidOperationException($"{TaskId} failed on purpose (attempt {context.Attempt})");
        }

        if (TaskId == Pipeline.KillTask)
        {
            await using var connection = new NpgsqlConnection(Pipeline.KillConnections);
            await connection.OpenAsync(cancellationToken);
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                connection);
            context.Log($"{TaskId} dropped {await kill.ExecuteScalarAsync(cancellationToken)} connections");
        }

        foreach (var output in Output().Cast<InMemoryTarget>())
        {
            output.Write(TaskId);
        }
    }
}

/// <summary>One task that runs until it is cancelled.</summary>
public sealed class BlockingPipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new BlockingTask { Key = Key }, new AfterBlocking { Key = Key }];
}

public sealed class BlockingTask : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        SideEffects.StartedSignal(Key).TrySetResult();
        try
        {
            await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            SideEffects.CancelledSignal(Key).TrySetResult();
            throw;
        }
    }
}

public sealed class AfterBlocking : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Requires() => [new BlockingTask { Key = Key }];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Forty short tasks, then a long one (first in claim order: a higher priority) beside short ones: a host with one worker
/// that ran the short ones claims ahead (a long enough stream of short attempts), and its worker then runs the long one.
/// The long one runs until <see cref="SideEffects.ReleasedSignal"/>.
/// </summary>
public sealed class LongAfterShortPipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() =>
        [new LongTask { Key = Key }, .. Enumerable.Range(1, 3).Select(i => new ShortAfterFirst { Key = Key, Index = i })];
}

public sealed class FirstShort : LuigiTask
{
    public const int Count = 40;

    [Parameter] public string Key { get; init; } = "";

    [Parameter] public int Index { get; init; }

    /// <summary>Every one of them, which the long task and the short ones after them require.</summary>
    public static IEnumerable<LuigiTask> All(string key) => Enumerable.Range(0, Count).Select(i => new FirstShort { Key = key, Index = i });

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        SideEffects.Record(Key, TaskId);
        return Task.CompletedTask;
    }
}

public sealed class LongTask : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    public override int Priority => 10;

    public override IEnumerable<LuigiTask> Requires() => FirstShort.All(Key);

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        SideEffects.Record(Key, TaskId);
        SideEffects.StartedSignal(Key).TrySetResult();
        await SideEffects.ReleasedSignal(Key).Task.WaitAsync(cancellationToken);
    }
}

public sealed class ShortAfterFirst : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    [Parameter] public int Index { get; init; }

    public override IEnumerable<LuigiTask> Requires() => FirstShort.All(Key);

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        SideEffects.Record(Key, TaskId);
        context.Log($"{TaskId} ran on worker {context.Worker}");
        return Task.CompletedTask;
    }
}

/// <summary>Two tasks that require each other.</summary>
public sealed class CyclicPipeline : Pipeline
{
    public override IEnumerable<LuigiTask> Roots() => [new Ping()];
}

public sealed class Ping : LuigiTask
{
    public override IEnumerable<LuigiTask> Requires() => [new Pong()];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class Pong : LuigiTask
{
    public override IEnumerable<LuigiTask> Requires() => [new Ping()];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>One task that logs <see cref="Lines"/> lines.</summary>
public sealed class ChattyPipeline : Pipeline
{
    [Parameter] public int Lines { get; init; } = 10;

    public override IEnumerable<LuigiTask> Roots() => [new Chatty { Lines = Lines }];
}

public sealed class Chatty : LuigiTask
{
    [Parameter] public int Lines { get; init; }

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= Lines; i++)
        {
            context.Log($"line {i}");
        }

        return Task.CompletedTask;
    }
}

/// <summary>A pipeline whose root cannot say what it requires: the error's message carries a NUL character.</summary>
public sealed class NulErrorPipeline : Pipeline
{
    public override IEnumerable<LuigiTask> Roots() => [new NulErrorTask()];
}

public sealed class NulErrorTask : LuigiTask
{
    public override IEnumerable<LuigiTask> Requires() => throw new InvalidOperationException("bad\0byte from the source system");

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
