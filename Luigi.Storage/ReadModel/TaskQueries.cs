using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.ReadModel;

/// <summary>
/// A <see cref="TaskQuery"/> as SQL over one run's tasks: its filters and its order, translated by EF Core on both providers
/// so that a page of a million-task run is read without loading the run.
/// </summary>
internal static class TaskQueries
{
    /// <summary>The tasks of <paramref name="runId"/> that match the query's filters.</summary>
    public static IQueryable<RunTaskRecord> Matching(IQueryable<RunTaskRecord> tasks, Guid runId, TaskQuery query)
    {
        tasks = tasks.Where(t => t.RunId == runId);
        if (query.State is { } state)
        {
            tasks = tasks.Where(t => t.State == state);
        }

        if (!string.IsNullOrEmpty(query.Family))
        {
            tasks = tasks.Where(t => t.Family == query.Family);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLowerInvariant();
            tasks = tasks.Where(t => t.TaskId.ToLower().Contains(text));
        }

        return tasks;
    }

    /// <summary>The tasks in the query's order, ties by ascending index, so that pages never overlap.</summary>
    public static IQueryable<RunTaskRecord> Ordered(IQueryable<RunTaskRecord> tasks, TaskQuery query)
    {
        var descending = query.Descending;
        IOrderedQueryable<RunTaskRecord> ordered = query.Order switch
        {
            TaskOrder.TaskId => descending ? tasks.OrderByDescending(t => t.TaskId) : tasks.OrderBy(t => t.TaskId),
            TaskOrder.State => descending ? tasks.OrderByDescending(t => t.State) : tasks.OrderBy(t => t.State),
            TaskOrder.Attempts => descending ? tasks.OrderByDescending(t => t.AttemptCount) : tasks.OrderBy(t => t.AttemptCount),
            // Tasks not started (or not finished) come last either way, as in the task list.
            TaskOrder.Started => descending
                ? tasks.OrderBy(t => t.StartedAt == null).ThenByDescending(t => t.StartedAt)
                : tasks.OrderBy(t => t.StartedAt == null).ThenBy(t => t.StartedAt),
            TaskOrder.Finished => descending
                ? tasks.OrderBy(t => t.FinishedAt == null).ThenByDescending(t => t.FinishedAt)
                : tasks.OrderBy(t => t.FinishedAt == null).ThenBy(t => t.FinishedAt),
            _ => descending ? tasks.OrderByDescending(t => t.TaskIndex) : tasks.OrderBy(t => t.TaskIndex),
        };
        return query.Order == TaskOrder.Index ? ordered : ordered.ThenBy(t => t.TaskIndex);
    }
}
