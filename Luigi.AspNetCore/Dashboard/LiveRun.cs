using Luigi.Engine;
using Luigi.Web.Live;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

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
}

/// <summary>
/// One run as its page shows it: the run, its rows and the counts by state, kept current by live batches
/// without going back to the store. Not thread-safe: a component applies batches on its renderer's context.
/// </summary>
public sealed class LiveRun
{
    private readonly Dictionary<TaskState, int> _counts = [];

    /// <summary>Starts from what the store holds.</summary>
    public LiveRun(RunDetail detail)
    {
        Detail = detail;
        State = detail.Run.State;
        FinishedAt = detail.Run.FinishedAt;
        Rows = detail.Tasks.Select(t => new TaskRow(t)).ToArray();
        foreach (var row in Rows)
        {
            _counts[row.State] = _counts.GetValueOrDefault(row.State) + 1;
        }
    }

    /// <summary>The run as read from the store (parameters, edges, times).</summary>
    public RunDetail Detail { get; }

    public Guid Id => Detail.Run.Id;

    /// <summary>The run's state now.</summary>
    public RunState State { get; private set; }

    /// <summary>When the run finished, as far as known.</summary>
    public DateTime? FinishedAt { get; private set; }

    /// <summary>The tasks by index.</summary>
    public IReadOnlyList<TaskRow> Rows { get; }

    /// <summary>How many tasks are in each state now.</summary>
    public IReadOnlyDictionary<TaskState, int> Counts => _counts;

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

            if (change.TaskIndex < 0 || change.TaskIndex >= Rows.Count)
            {
                return LiveApply.Reload;
            }

            var row = Rows[change.TaskIndex];
            var before = row.State;
            if (row.Apply(change))
            {
                _counts[before]--;
                _counts[row.State] = _counts.GetValueOrDefault(row.State) + 1;
                result = LiveApply.Changed;
            }
        }

        foreach (var change in batch.Runs)
        {
            if (change.RunId != Id || !LiveRunOrder.Advances(State, change.State))
            {
                continue; // another run, or a late report of a state this run has left
            }

            var hadNoTasks = Rows.Count == 0;
            State = change.State;
            FinishedAt = StateStyle.IsActive(change.State) ? null : change.At;
            result = hadNoTasks && change.State != RunState.Queued ? LiveApply.Reload : LiveApply.Changed;
        }

        return result;
    }
}
