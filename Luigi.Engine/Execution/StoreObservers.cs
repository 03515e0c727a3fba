using Microsoft.Extensions.Logging;
using Luigi.Engine.Events;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Execution;

/// <summary>
/// Tells a host's <see cref="IRunObserver"/>s what its <see cref="StoreExecutor"/> has committed. Each
/// observer is shielded from the others and the executor from them all: one that throws is logged and the
/// rest still hear the change, since a dashboard's listener must never fail a run or stall a worker. Every
/// <see cref="TaskChange"/> told carries this host's id.
/// </summary>
internal sealed class StoreObservers(IReadOnlyList<IRunObserver> observers, ILogger logger, TimeProvider time, string hostId)
{
    /// <summary>Tells the observers how the outcomes of <paramref name="group"/> ended, each with the tasks it blocked;
    /// outcomes that were refused (null results) are not reported.</summary>
    public void Committed(IReadOnlyList<TaskCompletion> group, CompletionResult?[] results)
    {
        if (observers.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        for (var i = 0; i < group.Count; i++)
        {
            if (results[i] is not { } result || group[i].State == TaskState.Pending)
            {
                continue; // refused, or a task claimed ahead given back unstarted: nobody saw it start
            }

            TaskChanged(TaskChange.Of(group[i], now));
            foreach (var (index, taskId) in result.Blocked)
            {
                TaskChanged(new TaskChange(group[i].RunId, index, taskId, TaskState.UpstreamFailed, 0, null, null, group[i].TaskId, now));
            }
        }
    }

    /// <summary>Tells the observers of the waiting tasks a cancel ended (see <see cref="RunStateChange.CancelledTasks"/>).</summary>
    public void Cancelled(RunStateChange run)
    {
        if (observers.Count == 0 || run.CancelledTasks.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (index, taskId, attempts) in run.CancelledTasks)
        {
            TaskChanged(new TaskChange(run.RunId, index, taskId, TaskState.Cancelled, attempts, null, null, null, now));
        }
    }

    /// <summary>Tells the observers of a task's change (see <see cref="IRunObserver.OnTaskChanged"/>).</summary>
    public void TaskChanged(TaskChange change)
    {
        if (observers.Count == 0)
        {
            return;
        }

        change = change.HostId is null ? change with { HostId = hostId } : change;
        foreach (var observer in observers)
        {
            try
            {
                observer.OnTaskChanged(change);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Observer {Observer} failed on {TaskId} -> {State}", observer.GetType().Name, change.TaskId, change.State);
            }
        }
    }

    /// <summary>Tells the observers of a run's change its host has just committed (see <see cref="IRunObserver.OnRunChanged"/>).</summary>
    public void RunChanged(Guid runId, string pipeline, RunState state)
    {
        foreach (var observer in observers)
        {
            try
            {
                observer.OnRunChanged(runId, pipeline, state);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Observer {Observer} failed on run {RunId} -> {State}", observer.GetType().Name, runId, state);
            }
        }
    }

    /// <summary>Tells the observers that this host resolved a run's graph (see <see cref="IRunObserver.OnGraphResolved"/>).</summary>
    public void GraphResolved(Guid runId, TaskGraph graph)
    {
        foreach (var observer in observers)
        {
            try
            {
                observer.OnGraphResolved(runId, graph);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Observer {Observer} failed on the graph of run {RunId}", observer.GetType().Name, runId);
            }
        }
    }

    /// <summary>Tells the observers that a run reached its final state (see <see cref="IRunObserver.OnRunFinished"/>).</summary>
    public void RunFinished(Guid runId, RunState state)
    {
        foreach (var observer in observers)
        {
            try
            {
                observer.OnRunFinished(runId, state);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Observer {Observer} failed on run {RunId} -> {State}", observer.GetType().Name, runId, state);
            }
        }
    }
}
