using Luigi.Engine;
using Luigi.Web.Live;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Events;

namespace Luigi.Web.Dashboard;

/// <summary>
/// A task of a run as the run page shows it, updated in place by live changes. <see cref="Order"/> is the
/// order of the change it reflects, so an older or repeated change is recognised and ignored.
/// </summary>
public sealed class TaskRow
{
    /// <summary>The task's row read from the store.</summary>
    public TaskRow(TaskView view)
    {
        Index = view.Index;
        TaskId = view.TaskId;
        Family = view.Family;
        Parameters = view.Parameters;
        State = view.State;
        AttemptCount = view.AttemptCount;
        StartedAt = view.StartedAt;
        FinishedAt = view.FinishedAt;
        HostId = view.HostId;
        Worker = view.Worker;
        ErrorSummary = view.ErrorSummary;
        BlockedBy = view.BlockedBy;
        NextAttemptAt = view.NextAttemptAt;
        Order = TaskChange.OrderOf(view.AttemptCount, view.State);
    }

    public int Index { get; }

    public string TaskId { get; }

    public string Family { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public TaskState State { get; private set; }

    public int AttemptCount { get; private set; }

    public DateTime? StartedAt { get; private set; }

    public DateTime? FinishedAt { get; private set; }

    public string? HostId { get; private set; }

    public int? Worker { get; private set; }

    public string? ErrorSummary { get; private set; }

    /// <summary>For UpstreamFailed: the failed task that blocked it; for Waiting: the id of the run it waits for; for RetryWaiting
    /// after a check for data that has not arrived: when it gives up (<see cref="WaitingForData"/>).</summary>
    public string? BlockedBy { get; private set; }

    /// <summary>While Waiting: the run running an attempt of this task id, which this task waits for.</summary>
    public Guid? WaitingForRun => State == TaskState.Waiting && Guid.TryParse(BlockedBy, out var run) ? run : null;

    /// <summary>While an external task waits for its data (RetryWaiting, not a retry after a failure): when it gives up.</summary>
    public DateTime? WaitingForDataUntil => WaitingForData.Until(State, BlockedBy);

    /// <summary>The order of the last change applied (see <see cref="TaskChange.Order"/>).</summary>
    public long Order { get; private set; }

    /// <summary>While RetryWaiting, as read from the store: when the next attempt (a retry, or the next check for its data) may start.</summary>
    public DateTime? NextAttemptAt { get; private set; }

    /// <summary>Applies <paramref name="change"/> when it is newer than what the row shows; true when it was.</summary>
    public bool Apply(TaskChange change)
    {
        if (change.Order <= Order)
        {
            return false;
        }

        Order = change.Order;
        State = change.State;
        AttemptCount = Math.Max(AttemptCount, change.Attempt);
        HostId = change.HostId ?? HostId;
        Worker = change.Worker ?? Worker;
        if (change.State == TaskState.Running)
        {
            StartedAt ??= change.At;
            FinishedAt = null;
        }
        else if (change.State.IsTerminal())
        {
            FinishedAt = change.At;
        }

        ErrorSummary = change.ErrorSummary ?? ErrorSummary;
        NextAttemptAt = change.State == TaskState.RetryWaiting ? change.NextAttemptAt : null;
        BlockedBy = change.State is TaskState.UpstreamFailed or TaskState.Waiting ? change.BlockedBy ?? BlockedBy
            : change.State == TaskState.RetryWaiting ? change.BlockedBy : null;
        return true;
    }
}
