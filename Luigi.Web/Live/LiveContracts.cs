using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Live;

/// <summary>
/// A committed change of a task's state, as the dashboard and the live hub see it: the store's
/// <see cref="TaskChange"/> plus the host that made it. Changes of one task can be ordered by
/// <see cref="Order"/>, which only grows within a run, so a client applies a change only when its order is
/// above the one it holds and may receive changes twice or out of order without harm.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="TaskIndex">The task's index in the run.</param>
/// <param name="TaskId">The task's id.</param>
/// <param name="State">The state it is in now.</param>
/// <param name="Attempt">The attempt concerned; 0 when none (a blocked or cancelled waiting task).</param>
/// <param name="HostId">The host that made the change.</param>
/// <param name="Worker">The worker slot running it, when running.</param>
/// <param name="ErrorSummary">First line of the error, for a failed attempt.</param>
/// <param name="BlockedBy">For UpstreamFailed: the failed task.</param>
/// <param name="At">When, by the host's clock (UTC).</param>
public sealed record LiveTaskChange(
    Guid RunId, int TaskIndex, string TaskId, TaskState State, int Attempt, string? HostId, int? Worker, string? ErrorSummary,
    string? BlockedBy, DateTime At)
{
    /// <summary>Grows with every change of one task in one run: attempt first, then the step within the attempt.</summary>
    public long Order => OrderOf(Attempt, State);

    /// <summary>
    /// The order of a task that is at <paramref name="attempt"/> in <paramref name="state"/>, the one rule by which pages, the
    /// graph and the timeline keep the newest of changes that may arrive out of order (docs/live.md): five steps per attempt,
    /// attempt first. Within attempt <c>a</c>: waiting (0, before any attempt), running (2), ended (3: done, failed, waiting to
    /// retry, blocked) and put back in the queue (4: pending after an attempt whose lease was lost). What comes instead of
    /// the next attempt ranks in the next one's steps: waiting for another run's attempt of the task id (1), found complete
    /// (3) and cancelled (4), the last two being final. The browser's <c>order</c> (client/src/states.js) is the same
    /// function; both pass <c>live-order-cases.json</c>.
    /// </summary>
    public static long OrderOf(int attempt, TaskState state) => attempt * 5L + state switch
    {
        TaskState.Pending => attempt > 0 ? 4 : 0,
        TaskState.Running => 2,
        TaskState.Waiting => 5 + 1,
        TaskState.Complete => 5 + 3,
        TaskState.Cancelled => 5 + 4,
        _ => 3,
    };
}

/// <summary>A run changed state (queued, resolving, running, cancelling, or one of its final states).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Pipeline">Its pipeline.</param>
/// <param name="State">The state it is in now.</param>
/// <param name="At">When, by the host's clock (UTC).</param>
public sealed record LiveRunChange(Guid RunId, string Pipeline, RunState State, DateTime At);

/// <summary>
/// What happened since the last batch. When <see cref="Resync"/> is set, changes may have been missed (the
/// host lost its feed from the other hosts for a while): subscribers re-read what they show from the store.
/// </summary>
/// <param name="Tasks">Task changes, in the order they were heard.</param>
/// <param name="Runs">Run changes, in the order they were heard.</param>
/// <param name="Resync">Changes may have been missed; re-read the store.</param>
public sealed record LiveBatch(IReadOnlyList<LiveTaskChange> Tasks, IReadOnlyList<LiveRunChange> Runs, bool Resync);

/// <summary>
/// Every committed change of every run in the store, made by this host or another, delivered in batches (at
/// most a few per second, so that a busy engine does not flood subscribers). Handlers are called on a
/// background thread, one batch at a time per subscriber, and must not block: a Blazor component hands the
/// batch to <c>InvokeAsync</c>.
/// </summary>
public interface ILiveFeed
{
    /// <summary>Starts delivering batches to <paramref name="handler"/> until the returned handle is disposed.</summary>
    IDisposable Subscribe(Func<LiveBatch, Task> handler);
}

/// <summary>
/// What <see cref="LiveHub"/> sends its clients (SignalR's typed client: the method names are the messages, which the
/// browser's client matches without regard to case: <c>connection.on('tasks', …)</c>).
/// </summary>
public interface ILiveClient
{
    /// <summary>Task changes of one watched run, in the order they were heard.</summary>
    Task Tasks(IReadOnlyList<LiveTaskChange> changes);

    /// <summary>Run changes: of the run list (to its watchers), or of one watched run.</summary>
    Task Runs(IReadOnlyList<LiveRunChange> changes);

    /// <summary>Changes may have been missed: re-read what is shown from the store.</summary>
    Task Resync();
}
