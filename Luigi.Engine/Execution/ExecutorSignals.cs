using System.Collections.Concurrent;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Execution;

/// <summary>
/// What the client and the host of one process tell each other at once, without a round trip to the store: work was
/// enqueued (wake the resolver and the dispatcher), a run was cancelled (stop its attempts here now; other hosts see it
/// at their next heartbeat), a run ended (answer those who wait for it). Everything here is also found in the store by
/// polling, so a process that lacks one side still works, only less promptly.
/// </summary>
internal sealed class ExecutorSignals
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RunState>> _waiters = new();
    private readonly ConcurrentDictionary<Guid, byte> _cancelled = new();

    /// <summary>Work may be ready: a run was enqueued or a graph written.</summary>
    public WorkSignal Work { get; } = new();

    /// <summary>Graphs resolved by the caller (<see cref="LuigiEngine"/>), by run: the host writes them instead of resolving.</summary>
    public ConcurrentDictionary<Guid, TaskGraph> ResolvedHere { get; } = new();

    /// <summary>A run was cancelled through this process.</summary>
    public event Action<Guid>? RunCancelled;

    /// <summary>A run ended (as this process saw it).</summary>
    public event Action<Guid>? RunEnded;

    /// <summary>The runs somebody in this process waits for.</summary>
    public ICollection<Guid> Awaited => _waiters.Keys;

    /// <summary>Whether the run was cancelled through this process (an attempt claimed just before must not run on).</summary>
    public bool WasCancelled(Guid runId) => _cancelled.ContainsKey(runId);

    /// <summary>Completes when <see cref="Finished"/> is called for the run.</summary>
    public Task<RunState> WhenFinished(Guid runId) =>
        _waiters.GetOrAdd(runId, _ => new TaskCompletionSource<RunState>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The run is being cancelled: its attempts in this process stop now.</summary>
    public void Cancelled(Guid runId)
    {
        _cancelled[runId] = 0;
        RunCancelled?.Invoke(runId);
    }

    /// <summary>The run has ended in <paramref name="state"/>.</summary>
    public void Finished(Guid runId, RunState state)
    {
        _cancelled.TryRemove(runId, out _);
        RunEnded?.Invoke(runId);
        if (_waiters.TryRemove(runId, out var waiter))
        {
            waiter.TrySetResult(state);
        }
    }

    /// <summary>The run does not exist: its waiters fail.</summary>
    public void Missing(Guid runId)
    {
        if (_waiters.TryRemove(runId, out var waiter))
        {
            waiter.TrySetException(new KeyNotFoundException($"No run {runId}."));
        }
    }
}
