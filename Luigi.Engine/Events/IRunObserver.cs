using Luigi.Engine.Execution;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Events;

/// <summary>
/// Hears what the executor of this process commits, whatever queue keeps the runs (in memory for <see cref="LuigiEngine"/>
/// and <c>--store memory</c>, SQLite or PostgreSQL for a host): a run queued, taken, resolved, started, asked to cancel or
/// finished; a task started, ended, retried, blocked, put back or cancelled, each as one <see cref="TaskChange"/>. The
/// console, the live feed, e-mail and telemetry are observers; so are the engine's tests.
/// </summary>
/// <remarks>
/// The ends committed in one step are reported before the tasks that step released are handed to workers, so a
/// requirement's end comes before its dependent's start (a dependent claimed by another host, or by a second claim racing
/// the report by microseconds, may be seen otherwise: order a task's changes by <see cref="TaskChange.Order"/>). Calls are
/// synchronous and come from several threads at once: implementations must be thread-safe and quick (queue the work),
/// since they run on the executor's hot path. One that throws is logged; the run and the other observers go on. Changes
/// made by other hosts are not reported here; read them from the store or the live feed's relay.
/// </remarks>
public interface IRunObserver
{
    /// <summary>A task of a run changed state.</summary>
    void OnTaskChanged(TaskChange change);

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

    /// <summary>
    /// This host resolved the run's graph, before any of its tasks is claimed. Tasks found complete, and tasks that failed
    /// while the graph was resolved (their <c>Requires</c>, <c>Output</c> or completeness check threw, or an external
    /// dependency is missing), are already in their final state in <paramref name="graph"/>; no change is reported for
    /// them, so an observer that keeps history takes them from here. The graph's nodes belong to the executor: read, do
    /// not change.
    /// </summary>
    void OnGraphResolved(Guid runId, TaskGraph graph)
    {
    }

    /// <summary>A run reached its final state (committed by this host).</summary>
    void OnRunFinished(Guid runId, RunState state)
    {
    }
}
