using Luigi.Engine.Graph;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Events;

/// <summary>
/// A committed change of a task's state: the one shape of that fact from the worker that made it to the page that shows
/// it (observers, the live feed, the relay between hosts, the hub's clients). Changes of one task can be ordered by
/// <see cref="Order"/>, which only grows within a run, so a client applies a change only when its order is above the one
/// it holds and may receive changes twice or out of order without harm.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="TaskIndex">The task's index in the run.</param>
/// <param name="TaskId">The task's id.</param>
/// <param name="State">The state it is in now.</param>
/// <param name="Attempt">The attempt concerned: the one that runs or ended; for a waiting task put back (its lease lost) or
/// cancelled, the last attempt it made; 0 when it made none (a blocked task, a cancelled task that never ran).</param>
/// <param name="Worker">The worker slot running it, when running.</param>
/// <param name="ErrorSummary">First line of the error, for a failed attempt.</param>
/// <param name="BlockedBy">For UpstreamFailed: the failed task; for Waiting: the run (its id) whose attempt of the same task id it waits for;
/// for RetryWaiting after a check for data that has not arrived: when it gives up (<see cref="WaitingForData"/>).</param>
/// <param name="At">When, by the host's clock (UTC).</param>
/// <param name="HostId">The host that committed the change (set by the executor that reports it).</param>
public sealed record TaskChange(
    Guid RunId, int TaskIndex, string TaskId, TaskState State, int Attempt, int? Worker, string? ErrorSummary, string? BlockedBy, DateTime At,
    string? HostId = null)
{
    /// <summary>Grows with every change of one task in one run: attempt first, then the step within the attempt.</summary>
    public long Order => OrderOf(Attempt, State);

    /// <summary>For <see cref="TaskState.RetryWaiting"/>: when its next attempt may start (a retry after a failure, or the next
    /// check of an external task waiting for its data), so that a live page shows it as a re-read page does.</summary>
    public DateTime? NextAttemptAt { get; init; }

    /// <summary>
    /// The order of a task that is at <paramref name="attempt"/> in <paramref name="state"/>, the one rule by which pages, the
    /// graph and the timeline keep the newest of changes that may arrive out of order (docs/live.md): five steps per attempt,
    /// attempt first. Within attempt <c>a</c>: waiting (0, before any attempt), running (2), ended (3: done, failed, waiting to
    /// retry, blocked) and back in the queue (4: pending after an attempt whose lease was lost, or that was suspended for tasks
    /// it required at run time, so the next attempt resumes it). What comes instead of
    /// the next attempt ranks in the next one's steps: waiting for another run's attempt of the task id (1), found complete
    /// (3) and cancelled (4), the last two being final. Blocked (<see cref="TaskState.UpstreamFailed"/>) ranks above every
    /// step of every attempt: it is final, entered only while the task waits, and its change does not know how many attempts
    /// the task made (a requester suspended for tasks it required at run time has made some). The browser's <c>order</c>
    /// (client/src/states.js) is the same function; both pass <c>live-order-cases.json</c>.
    /// </summary>
    public static long OrderOf(int attempt, TaskState state) => state == TaskState.UpstreamFailed ? Blocked : attempt * 5L + state switch
    {
        TaskState.Pending => attempt > 0 ? 4 : 0,
        TaskState.Running => 2,
        TaskState.Waiting => 5 + 1,
        TaskState.Complete => 5 + 3,
        TaskState.Cancelled => 5 + 4,
        _ => 3,
    };

    /// <summary>The order of a blocked task: above any other (the browser's is the same number, below 2^53).</summary>
    private const long Blocked = (1L << 53) - 1;

    internal static TaskChange Of(TaskCompletion completion, DateTime at) => new(
        completion.RunId, completion.TaskIndex, completion.TaskId, completion.State,
        completion.State == TaskState.Complete ? completion.Attempt - 1 : completion.Attempt, null, // found complete: its claimed attempt never ran
        completion.Error is null ? null : TaskNode.FirstLine(completion.Error), completion.BlockedBy, at)
    {
        NextAttemptAt = completion.State == TaskState.RetryWaiting ? completion.RetryAt : null,
    };
}
