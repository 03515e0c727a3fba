using System.Collections.Concurrent;
using Luigi.Engine;

namespace Luigi.Dashboard.Bench;

/// <summary>Layers of <see cref="Width"/> no-op tasks, each requiring 3 tasks of the layer before: a big run to open.</summary>
public sealed class DashboardRenderBench : Pipeline
{
    [Parameter] public int Tasks { get; init; } = 5_000;

    [Parameter] public int Width { get; init; } = 100;

    public override IEnumerable<LuigiTask> Roots() =>
        Enumerable.Range(Math.Max(0, Tasks - Width), Math.Min(Width, Tasks)).Select(i => new LayeredTask { Index = i, Tasks = Tasks, Width = Width });
}

/// <summary>
/// The same graph where every task works <see cref="DelayMs"/> and nothing starts before the gate opens, so a page
/// can be opened on the whole graph first and then watch the engine change it at a known pace.
/// </summary>
public sealed class DashboardLiveBench : Pipeline
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    [Parameter] public string Key { get; init; } = "";

    [Parameter] public int Tasks { get; init; } = 5_000;

    [Parameter] public int Width { get; init; } = 100;

    [Parameter] public int DelayMs { get; init; } = 20;

    /// <summary>Lets the tasks of the run with <paramref name="key"/> start.</summary>
    public static void Open(string key) => Gate(key).TrySetResult();

    internal static TaskCompletionSource Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public override IEnumerable<LuigiTask> Roots() =>
        Enumerable.Range(Math.Max(0, Tasks - Width), Math.Min(Width, Tasks))
            .Select(i => new LayeredTask { Index = i, Tasks = Tasks, Width = Width, Key = Key, DelayMs = DelayMs });
}

/// <summary>A task of the layered graph; it waits for its run's gate, then works <see cref="DelayMs"/>.</summary>
public sealed class LayeredTask : LuigiTask
{
    [Parameter] public int Index { get; init; }

    public required int Tasks { get; init; }

    public required int Width { get; init; }

    public string Key { get; init; } = "";

    public int DelayMs { get; init; }

    public override IEnumerable<LuigiTask> Requires()
    {
        var layerStart = Index / Width * Width;
        if (layerStart == 0)
        {
            yield break;
        }

        var previous = layerStart - Width;
        foreach (var offset in new[] { 0, Index % Width, Width - 1 }.Distinct())
        {
            yield return new LayeredTask { Index = previous + offset, Tasks = Tasks, Width = Width, Key = Key, DelayMs = DelayMs };
        }
    }

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (Key.Length > 0)
        {
            await DashboardLiveBench.Gate(Key).Task.WaitAsync(cancellationToken);
        }

        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs, cancellationToken);
        }
    }
}
