using Luigi.Engine;
using Luigi.Web.Live;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Events;

namespace Luigi.Web.Dashboard;

/// <summary>What applying a batch to a <see cref="LiveRun"/> asks of the page.</summary>
public enum LiveApply
{
    /// <summary>Nothing of this run changed.</summary>
    Unchanged,

    /// <summary>Rows, counts or the run's state changed in place: render.</summary>
    Changed,

    /// <summary>The page may be missing changes (a resync, or tasks it has no row for yet): read the run again.</summary>
    Reload,

    /// <summary>A task the page holds no row for changed (the run is shown a page at a time): read the counts again.</summary>
    Recount,
}

/// <summary>
/// One run as its page shows it: the run, its rows and the counts by state, kept current by live batches
/// without going back to the store. A run read whole has a row for every task; a bigger one (read a page at a time,
/// <see cref="RunDetail.HasAllTasks"/> false) holds the rows of the page shown and the counts read in SQL, and asks for a
/// recount when a task it holds no row for changes. Not thread-safe: a component applies batches on its renderer's context.
/// </summary>
public sealed class LiveRun
{
    /// <summary>The most tasks a run page reads whole; above it, it reads the counts and a page of tasks at a time.</summary>
    public const int WholeRunLimit = 5_000;

    private Dictionary<TaskState, int> _counts;
    private readonly Dictionary<int, TaskRow> _shown = [];
    private TaskRow? _held;

    /// <summary>Starts from what the store holds.</summary>
    public LiveRun(RunDetail detail)
    {
        IsWhole = detail.HasAllTasks;
        Detail = IsWhole ? detail : detail with { Tasks = [], Edges = [] }; // its task list reads its pages itself
        State = detail.Run.State;
        FinishedAt = detail.Run.FinishedAt;
        Rows = IsWhole ? detail.Tasks.Select(t => new TaskRow(t)).ToArray() : [];
        _counts = IsWhole ? Rows.CountBy(r => r.State).ToDictionary() : new Dictionary<TaskState, int>(detail.Counts);
    }

    /// <summary>The run as read from the store (parameters, edges, times).</summary>
    public RunDetail Detail { get; }

    public Guid Id => Detail.Run.Id;

    /// <summary>The run's state now.</summary>
    public RunState State { get; private set; }

    /// <summary>When the run finished, as far as known.</summary>
    public DateTime? FinishedAt { get; private set; }

    /// <summary>True when <see cref="Rows"/> holds every task; false for a run shown a page at a time.</summary>
    public bool IsWhole { get; }

    /// <summary>The tasks by index: every task of a run read whole, none of a run shown a page at a time.</summary>
    public IReadOnlyList<TaskRow> Rows { get; }

    /// <summary>How many tasks the run has.</summary>
    public int TaskCount => IsWhole ? Rows.Count : Detail.TaskTotal;

    /// <summary>How many tasks are in each state now.</summary>
    public IReadOnlyDictionary<TaskState, int> Counts => _counts;

    /// <summary>The row of task <paramref name="index"/> when the page holds one.</summary>
    public TaskRow? Row(int index) =>
        IsWhole ? (index >= 0 && index < Rows.Count ? Rows[index] : null) : _shown.GetValueOrDefault(index) ?? (_held?.Index == index ? _held : null);

    /// <summary>For a run shown a page at a time: the rows of the page now shown, which live changes keep current.</summary>
    public IReadOnlyList<TaskRow> Show(IEnumerable<TaskView> tasks)
    {
        var rows = tasks.Select(t => Row(t.Index) is { } known && known.Order >= TaskChange.OrderOf(t.AttemptCount, t.State) ? known : new TaskRow(t)).ToList();
        _shown.Clear();
        foreach (var row in rows)
        {
            _shown[row.Index] = row;
        }

        return rows;
    }

    /// <summary>For a run shown a page at a time: holds the row of the selected task, kept current by live changes.</summary>
    public TaskRow Hold(TaskView task)
    {
        if (IsWhole)
        {
            return Rows[task.Index];
        }

        _held = Row(task.Index) is { } known && known.Order >= TaskChange.OrderOf(task.AttemptCount, task.State) ? known : new TaskRow(task);
        return _held;
    }

    /// <summary>Replaces the counts by state with those read again from the store.</summary>
    public void Recounted(IReadOnlyDictionary<TaskState, int> counts) => _counts = new Dictionary<TaskState, int>(counts);

    /// <summary>Applies the changes of this run in <paramref name="batch"/>: a task change only when it is newer
    /// than the row's, the run's state from its run changes.</summary>
    public LiveApply Apply(LiveBatch batch)
    {
        if (batch.Resync)
        {
            return LiveApply.Reload;
        }

        var result = LiveApply.Unchanged;
        foreach (var change in batch.Tasks)
        {
            if (change.RunId != Id)
            {
                continue;
            }

            if (Row(change.TaskIndex) is not { } row)
            {
                if (IsWhole)
                {
                    return LiveApply.Reload;
                }

                result = LiveApply.Recount;
                continue;
            }

            var before = row.State;
            if (row.Apply(change))
            {
                _counts[before]--;
                _counts[row.State] = _counts.GetValueOrDefault(row.State) + 1;
                result = result == LiveApply.Recount ? result : LiveApply.Changed;
            }
        }

        foreach (var change in batch.Runs)
        {
            if (change.RunId != Id || !LiveRunOrder.Advances(State, change.State))
            {
                continue; // another run, or a late report of a state this run has left
            }

            var hadNoTasks = TaskCount == 0;
            State = change.State;
            FinishedAt = StateStyle.IsActive(change.State) ? null : change.At;
            result = hadNoTasks && change.State != RunState.Queued ? LiveApply.Reload : result == LiveApply.Recount ? result : LiveApply.Changed;
        }

        return result;
    }
}
