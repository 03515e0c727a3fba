using Luigi.Engine.Graph;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Execution;

/// <summary>
/// Turns a re-run's scope into overrides of the completeness checks, from what the repeated run did:
/// <list type="bullet">
/// <item><see cref="RerunScope.All"/>: none; complete tasks are skipped as in any run.</item>
/// <item><see cref="RerunScope.FailedOnly"/>: what was done or complete then is taken as complete, so only
/// the failed, blocked (and cancelled) tasks run again.</item>
/// <item><see cref="RerunScope.TaskAndDownstream"/>: the task and everything that depended on it run even if
/// their outputs exist; they overwrite them (atomically) when they succeed.</item>
/// </list>
/// The queue reads the repeated run's tasks and edges (<see cref="IRunQueue.PlanRerunAsync"/>); this turns them into overrides.
/// </summary>
internal static class RerunPlanner
{
    /// <summary>The overrides for <paramref name="run"/> (a re-run), from the tasks of the run it repeats (index, id, final
    /// state) and their dependents by index; null when the scope needs none.</summary>
    public static ResolutionOverrides? Plan(RunRecord run, IReadOnlyList<(int Index, string TaskId, TaskState State)> tasks, ILookup<int, int> dependents)
    {
        if (run.ParentRunId is not { } parentId || run.RerunScope is null or RerunScope.All)
        {
            return null;
        }

        if (run.RerunScope == RerunScope.FailedOnly)
        {
            var succeeded = tasks.Where(t => t.State.IsSatisfied()).Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
            return new ResolutionOverrides(new HashSet<string>(), succeeded);
        }

        var start = tasks.FirstOrDefault(t => t.TaskId == run.RerunTaskId);
        if (start.TaskId is null)
        {
            throw new InvalidOperationException($"Run {parentId} has no task {run.RerunTaskId} to re-run.");
        }

        var ids = tasks.ToDictionary(t => t.Index, t => t.TaskId);
        var forced = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<int>([start.Index]);
        while (stack.TryPop(out var index))
        {
            if (forced.Add(ids[index]))
            {
                foreach (var dependent in dependents[index])
                {
                    stack.Push(dependent);
                }
            }
        }

        return new ResolutionOverrides(forced, new HashSet<string>());
    }
}
