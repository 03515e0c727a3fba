using Luigi.Engine.Graph;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Engine.Storage;

/// <summary>
/// Turns a re-run's scope into overrides of the completeness checks, from what the repeated run did:
/// <list type="bullet">
/// <item><see cref="RerunScope.All"/>: none; complete tasks are skipped as in any run.</item>
/// <item><see cref="RerunScope.FailedOnly"/>: what was done or complete then is taken as complete, so only
/// the failed, blocked (and cancelled) tasks run again.</item>
/// <item><see cref="RerunScope.TaskAndDownstream"/>: the task and everything that depended on it run even if
/// their outputs exist; they overwrite them (atomically) when they succeed.</item>
/// </list>
/// </summary>
internal static class RerunPlanner
{
    public static async Task<ResolutionOverrides?> PlanAsync(LuigiStore store, RunRecord run, CancellationToken cancellationToken)
    {
        if (run.ParentRunId is not { } parentId || run.RerunScope is null or RerunScope.All)
        {
            return null;
        }

        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == parentId)
            .Select(t => new { t.TaskIndex, t.TaskId, t.State }).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (run.RerunScope == RerunScope.FailedOnly)
        {
            var succeeded = tasks.Where(t => t.State.IsSatisfied()).Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
            return new ResolutionOverrides(new HashSet<string>(), succeeded);
        }

        var start = tasks.SingleOrDefault(t => t.TaskId == run.RerunTaskId)
            ?? throw new InvalidOperationException($"Run {parentId} has no task {run.RerunTaskId} to re-run.");
        var dependents = (await context.RunEdges.AsNoTracking().Where(e => e.RunId == parentId)
                .Select(e => new { e.RequirementIndex, e.DependentIndex }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(e => e.RequirementIndex, e => e.DependentIndex);
        var ids = tasks.ToDictionary(t => t.TaskIndex, t => t.TaskId);
        var forced = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<int>([start.TaskIndex]);
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
