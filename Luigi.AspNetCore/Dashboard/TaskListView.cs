using Luigi.Engine;

namespace Luigi.Web.Dashboard;

/// <summary>A column the task list can be sorted by.</summary>
public enum TaskSort
{
    Index,
    Task,
    State,
    Attempts,
    Started,
    Duration,
}

/// <summary>The task list's filtering and sorting, apart from its rendering.</summary>
public static class TaskListView
{
    /// <summary>
    /// The rows in <paramref name="state"/> (all when null) whose task id contains <paramref name="text"/>
    /// (ignoring case), sorted by <paramref name="sort"/>, ties by index.
    /// </summary>
    public static List<TaskRow> Apply(
        IEnumerable<TaskRow> rows, TaskState? state, string? text, TaskSort sort, bool descending, DateTime now)
    {
        var filtered = rows.Where(r => (state is null || r.State == state)
            && (string.IsNullOrWhiteSpace(text) || r.TaskId.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase)));
        IOrderedEnumerable<TaskRow> sorted = sort switch
        {
            TaskSort.Task => Order(filtered, r => r.TaskId, descending, StringComparer.OrdinalIgnoreCase),
            TaskSort.State => Order(filtered, r => r.State, descending),
            TaskSort.Attempts => Order(filtered, r => r.AttemptCount, descending),
            TaskSort.Started => Order(filtered, r => r.StartedAt ?? DateTime.MaxValue, descending),
            TaskSort.Duration => Order(filtered, r => r.StartedAt is { } s ? (r.FinishedAt ?? now) - s : TimeSpan.MinValue, descending),
            _ => Order(filtered, r => r.Index, descending),
        };
        return sorted.ThenBy(r => r.Index).ToList();
    }

    private static IOrderedEnumerable<TaskRow> Order<TKey>(
        IEnumerable<TaskRow> rows, Func<TaskRow, TKey> key, bool descending, IComparer<TKey>? comparer = null) =>
        descending ? rows.OrderByDescending(key, comparer) : rows.OrderBy(key, comparer);
}
