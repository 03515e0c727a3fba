using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Live;

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
public sealed record LiveBatch(IReadOnlyList<TaskChange> Tasks, IReadOnlyList<LiveRunChange> Runs, bool Resync);

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
    Task Tasks(IReadOnlyList<TaskChange> changes);

    /// <summary>Run changes: of the run list (to its watchers), or of one watched run.</summary>
    Task Runs(IReadOnlyList<LiveRunChange> changes);

    /// <summary>Changes may have been missed: re-read what is shown from the store.</summary>
    Task Resync();
}
