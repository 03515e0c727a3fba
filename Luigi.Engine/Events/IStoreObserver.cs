using Luigi.Engine.Graph;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Events;

/// <summary>
/// Hears what a <see cref="StoreExecutor"/> does on this host, each change after it is committed: a task
/// started, ended, retried or was blocked; a run was queued, taken for resolution, started, asked to
/// cancel or finished. The ends committed in one transaction are
/// reported before the tasks that transaction released are handed to workers, so a requirement's end
/// comes before its dependent's start (a dependent claimed by another host, or by a second claim racing
/// the report by microseconds, may be seen otherwise: order by <see cref="TaskChange.At"/> or re-read the
/// store when it matters). Calls are synchronous and come from several threads at once: implementations
/// must be thread-safe and quick (queue the work), since they run on the executor's hot path. Changes
/// made by other hosts are not reported here; read them from the store.
/// </summary>
public interface IStoreObserver
{
    /// <summary>A task of a run changed state.</summary>
    void OnTaskChanged(TaskChange change);

    /// <summary>A run reached its final state.</summary>
    void OnRunFinished(Guid runId, RunState state);

    /// <summary>
    /// A run changed state: <see cref="RunState.Queued"/> (enqueued or re-run by this host),
    /// <see cref="RunState.Resolving"/> (taken by this host), <see cref="RunState.Running"/> (its graph
    /// written), <see cref="RunState.Cancelling"/> (cancel asked through this host) or a final state
    /// (committed by this host; <see cref="OnRunFinished"/> is called as well). Reported once, by the host
    /// that committed the change, so a run's states only move forward in that order.
    /// </summary>
    void OnRunChanged(Guid runId, string pipeline, RunState state)
    {
    }
}

/// <summary>A committed change of a task's state.</summary>
/// <param name="RunId">The run.</param>
/// <param name="TaskIndex">The task's index in the run.</param>
/// <param name="TaskId">The task's id.</param>
/// <param name="State">The state it is in now.</param>
/// <param name="Attempt">The attempt concerned: the one that runs or ended; for a waiting task put back (its lease lost) or
/// cancelled, the last attempt it made; 0 when it made none (a blocked task, a cancelled task that never ran).</param>
/// <param name="Worker">The worker slot running it, when running.</param>
/// <param name="ErrorSummary">First line of the error, for a failed attempt.</param>
/// <param name="BlockedBy">For UpstreamFailed: the failed task; for Waiting: the run (its id) whose attempt of the same task id it waits for.</param>
/// <param name="At">When, by the host's clock.</param>
public sealed record TaskChange(
    Guid RunId, int TaskIndex, string TaskId, TaskState State, int Attempt, int? Worker, string? ErrorSummary, string? BlockedBy, DateTime At)
{
    internal static TaskChange Of(TaskCompletion completion, DateTime at) => new(
        completion.RunId, completion.TaskIndex, completion.TaskId, completion.State,
        completion.State == TaskState.Complete ? completion.Attempt - 1 : completion.Attempt, null, // found complete: its claimed attempt never ran
        completion.Error is null ? null : TaskNode.FirstLine(completion.Error), null, at);
}
