using Luigi.Engine.Events;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Execution;

/// <summary>
/// Applies a <see cref="GraphExtension"/> to a graph held in memory: the run's graph in <see cref="MemoryRunQueue"/>, or the
/// graph of the process that resolved a run on a store (so that its result and summary show the tasks found at run time).
/// </summary>
internal static class DynamicRequirements
{
    /// <summary>Adds the plan's new tasks (with the settings read when they were resolved) and its edges to <paramref name="graph"/>.
    /// Does nothing when the graph has moved on (its next index is not the plan's first).</summary>
    public static void Merge(TaskGraph graph, GraphExtension plan)
    {
        if (plan.Added.Count > 0 && graph.Nodes.Count != plan.Added[0].Index)
        {
            return;
        }

        foreach (var added in plan.Added)
        {
            var source = added.Source;
            graph.Append(new TaskNode(added.Index, source.Task, source.TaskId)
            {
                State = added.State,
                Error = source.Error,
                BlockedBy = added.BlockedBy,
                Priority = source.Priority,
                RetryPolicy = source.RetryPolicy,
                Timeout = source.Timeout,
                Resources = source.Resources,
                CriticalPath = source.CriticalPath,
                RemainingRequirements = added.Remaining,
                Recheck = true, // another run may share it: looked at again when claimed, as a shared task is
            });
        }

        foreach (var (requirement, dependent) in plan.Edges)
        {
            graph.Nodes[dependent].AddRequirement(graph.Nodes[requirement]);
        }
    }

    /// <summary>The changes a suspension made, for the observers: the new tasks, the requester, and what its block cascaded to.</summary>
    public static IEnumerable<TaskChange> Changes(ClaimedTask requester, SuspendResult result, DateTime at)
    {
        foreach (var added in result.Plan.Added)
        {
            yield return new TaskChange(requester.RunId, added.Index, added.Source.TaskId, added.State, 0, null, added.Source.ErrorSummary, added.BlockedBy, at);
        }

        if (result.Blocked.Count == 0)
        {
            // Pending after the attempt that asked: above its Running, below the next attempt's (TaskChange.OrderOf).
            yield return new TaskChange(requester.RunId, requester.TaskIndex, requester.TaskId, TaskState.Pending, requester.Attempt, null, null, null, at);
        }

        foreach (var (index, taskId) in result.Blocked)
        {
            yield return new TaskChange(requester.RunId, index, taskId, TaskState.UpstreamFailed, 0, null, null, result.Plan.RequesterBlockedBy, at);
        }
    }
}
