using Luigi.Engine.Graph;

namespace Luigi.Engine.Events;

/// <summary>
/// Hears everything a run does, so that later layers can persist it and push it to dashboards without
/// the engine knowing about either. Calls come from several workers at once: implementations must be
/// thread-safe. A transition is reported before anything that depends on it happens (a task's
/// <see cref="TaskState.Done"/> before its dependents start), so an observer that stores transitions
/// never stores an effect before its cause. An exception thrown by an observer is logged and does not
/// stop the run.
/// </summary>
public interface IExecutionObserver
{
    /// <summary>
    /// The graph is resolved and the run is about to start its tasks. Tasks found complete, and tasks
    /// that failed while the graph was resolved (their <c>Requires</c>, <c>Output</c> or
    /// <c>CompleteAsync</c> threw, or an external dependency is missing), are already in their final
    /// state here; no transition is reported for them, so an observer that keeps history stores this
    /// snapshot.
    /// </summary>
    ValueTask OnRunStartedAsync(string runId, TaskGraph graph, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A task changed state.</summary>
    ValueTask OnTransitionAsync(TaskTransition transition, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Every task has reached a final state.</summary>
    ValueTask OnRunFinishedAsync(RunResult result, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
