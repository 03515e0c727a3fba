using Luigi.Engine;

namespace Luigi.FaultProbe;

/// <summary>
/// A graph that grows while it runs: one <see cref="ProbeFanOut"/> task that, when it runs, requires <see cref="Tasks"/>
/// <see cref="DynamicProbeTask"/>s (found only then), and is run again from the start once they are done. Every task
/// journals as <see cref="FaultProbe"/>'s do, so a test can tell which process did what across a host's death; the fan-out
/// journals each start (twice: suspended, then resumed) and its one end.
/// </summary>
public sealed class DynamicFaultProbe : Pipeline
{
    /// <summary>Names this run's folder; one per test.</summary>
    [Parameter] public string Key { get; init; } = "dynamic-probe";

    [Parameter] public int Tasks { get; init; } = 24;

    [Parameter] public int DelayMs { get; init; } = 200;

    public override IEnumerable<LuigiTask> Roots() => [new ProbeFanOut { Key = Key, Tasks = Tasks, DelayMs = DelayMs }];
}

/// <summary>Requires its <see cref="DynamicProbeTask"/>s at run time, then writes its output.</summary>
public sealed class ProbeFanOut : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    [Parameter] public int Tasks { get; init; }

    [Parameter(Significant = false)] public int DelayMs { get; init; }

    public override IEnumerable<Target> Output() => [new LocalFileTarget($"fault-probe/{Key}/out/fan-out.txt")];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ProbeJournal.Write(Key, ProbeJournal.Start, TaskId, context.Attempt);
        await context.RequireAsync(Enumerable.Range(0, Tasks).Select(i => new DynamicProbeTask { Key = Key, Index = i, DelayMs = DelayMs }), cancellationToken);
        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync(TaskId, cancellationToken);
        ProbeJournal.Write(Key, ProbeJournal.End, TaskId, context.Attempt);
    }
}

/// <summary>
/// One task found at run time. It has a public parameterless constructor and only parameters, so that a host that did not
/// see it found can make it again from the store.
/// </summary>
public sealed class DynamicProbeTask : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    [Parameter] public int Index { get; init; }

    [Parameter(Significant = false)] public int DelayMs { get; init; }

    public override IEnumerable<Target> Output() => [new LocalFileTarget($"fault-probe/{Key}/out/dynamic-{Index}.txt")];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ProbeJournal.Write(Key, ProbeJournal.Start, TaskId, context.Attempt);
        try
        {
            await Task.Delay(DelayMs, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            ProbeJournal.Write(Key, ProbeJournal.Cancelled, TaskId, context.Attempt);
            throw;
        }

        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync(TaskId, cancellationToken);
        ProbeJournal.Write(Key, ProbeJournal.End, TaskId, context.Attempt);
    }
}
