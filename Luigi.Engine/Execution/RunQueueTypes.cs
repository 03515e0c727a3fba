using Luigi.Engine.Graph;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Execution;

/// <summary>A request for a run, from any trigger. <paramref name="Id"/> chooses the run's id (a new one when null).</summary>
public sealed record RunRequest(
    string Pipeline,
    IReadOnlyDictionary<string, string> Parameters,
    RunTrigger Trigger,
    string? RequestedBy = null,
    Guid? ParentRunId = null,
    RerunScope? RerunScope = null,
    string? RerunTaskId = null,
    Guid? Id = null)
{
    /// <summary>For a run of a schedule: the schedule's name (with <see cref="FireAt"/>, unique in the store).</summary>
    public string? ScheduleName { get; init; }

    /// <summary>For a run of a schedule: the fire time it is for.</summary>
    public DateTimeOffset? FireAt { get; init; }

    /// <summary>For a run of a backfill: the backfill.</summary>
    public Guid? BackfillId { get; init; }

    /// <summary>The run this request asks for, queued now (by <paramref name="time"/>), as every run queue writes it.</summary>
    internal RunRecord ToQueuedRun(TimeProvider time) => new()
    {
        Id = Id ?? Guid.CreateVersion7(time.GetUtcNow()),
        Pipeline = Pipeline,
        Parameters = new Dictionary<string, string>(Parameters),
        Trigger = Trigger,
        RequestedBy = RequestedBy,
        ParentRunId = ParentRunId,
        RerunScope = RerunScope,
        RerunTaskId = RerunTaskId,
        ScheduleName = ScheduleName,
        FireAt = FireAt?.UtcDateTime,
        BackfillId = BackfillId,
        State = RunState.Queued,
        CreatedAt = time.GetUtcNow().UtcDateTime,
    };
}

/// <summary>
/// A task a worker has claimed, with the attempt it is to run. With <paramref name="Recheck"/>, another run may have made
/// the task meanwhile: the worker checks its completeness first, and reports it <see cref="TaskState.Complete"/> without
/// running it when it is. With <paramref name="WaitsFor"/> the task was not claimed at all: another run runs an attempt
/// of the same task id, and the task now waits for that run (<see cref="TaskState.Waiting"/>); it goes to no worker
/// (<paramref name="Worker"/> is 0) and <paramref name="Attempt"/> is the number of attempts it made.
/// </summary>
/// <remarks>A task claimed ahead (<see cref="WorkDispatcher"/>) is <see cref="FromBuffer"/> once a worker takes it: its
/// <paramref name="Worker"/> and <paramref name="StartedAt"/> are then that worker's and when it took it, written with the outcome.</remarks>
internal sealed record ClaimedTask(Guid RunId, int TaskIndex, string TaskId, int Attempt, int Worker, DateTime StartedAt, bool Recheck = false, Guid? WaitsFor = null)
{
    /// <summary>Claimed ahead and taken from the host's buffer: the worker and start recorded at the claim are not this attempt's.</summary>
    public bool FromBuffer { get; init; }
}

/// <summary>Ready tasks to claim for idle <paramref name="Workers"/> (worker slots), with a lease of <paramref name="Lease"/>;
/// only of run <paramref name="OnlyRun"/> when it is set.</summary>
internal sealed record ClaimRequest(IReadOnlyList<int> Workers, TimeSpan Lease, Guid? OnlyRun);

/// <summary>How an attempt ended, to be committed. <c>FinishedAt</c> is when the attempt ended (the time of the
/// commit when not given). <see cref="TaskState.Pending"/> gives back a task claimed ahead that never started: its attempt
/// is taken back and the task is ready again.</summary>
internal sealed record TaskCompletion(
    Guid RunId, int TaskIndex, string TaskId, int Attempt, TaskState State, string? Error, DateTime? RetryAt,
    IReadOnlyList<LogLine> Log, int TruncatedLogLines, DateTime? FinishedAt = null)
{
    /// <summary>For a check of an external task whose data has not arrived (RetryWaiting): when it gives up waiting. Kept as
    /// the task's <c>blocked_by</c> (<see cref="WaitingForData"/>), which a retry after a failure leaves empty.</summary>
    public DateTime? WaitingForDataUntil { get; init; }

    /// <summary>The worker that ran the attempt and when it started, when they are not those its claim recorded (a task
    /// claimed ahead, taken from the buffer by whichever worker was free first).</summary>
    public (int Worker, DateTime StartedAt)? RanBy { get; init; }

    /// <summary>The task's <c>blocked_by</c> once this outcome is committed.</summary>
    public string? BlockedBy => WaitingForData.Text(WaitingForDataUntil);
}

/// <summary>What a committed outcome caused.</summary>
/// <param name="Released">Tasks that became ready: dependents, and tasks of other runs that waited for this attempt.</param>
/// <param name="Blocked">Tasks that became UpstreamFailed.</param>
/// <param name="RunFinished">The run's final state, when this outcome ended it.</param>
/// <param name="Pipeline">The pipeline of the run, when this outcome ended it.</param>
internal sealed record CompletionResult(int Released, IReadOnlyList<(int Index, string TaskId)> Blocked, RunState? RunFinished, string? Pipeline = null);

/// <summary>What suspending a task for its requirements found at run time did.</summary>
/// <param name="Plan">How the requested tasks joined the run (nothing joined when it has a cycle error).</param>
/// <param name="Blocked">The requester and its downstream, when a requested task had failed already (now UpstreamFailed).</param>
/// <param name="RunFinished">The run's end, when blocking the requester ended it.</param>
internal sealed record SuspendResult(GraphExtension Plan, IReadOnlyList<(int Index, string TaskId)> Blocked, RunStateChange? RunFinished);

/// <summary>A run's state as a statement left it, with the waiting tasks that statement cancelled (a cancel).</summary>
internal sealed record RunStateChange(Guid RunId, string Pipeline, RunState State)
{
    /// <summary>Tasks that waited (pending, or for a retry) and were cancelled with the run, with the attempts each had made.</summary>
    public IReadOnlyList<(int Index, string TaskId, int Attempts)> CancelledTasks { get; init; } = [];
}

/// <summary>
/// What putting back the work of hosts that stopped did: the tasks whose leases expired (back to Pending), and the
/// runs a dead host was resolving (back to Queued) or was cancelling before it had a graph (now Cancelled).
/// </summary>
internal sealed record RequeueResult(IReadOnlyList<(Guid RunId, int TaskIndex, string TaskId, int Attempt)> Tasks, IReadOnlyList<RunStateChange> Runs);

/// <summary>What a cancel request did.</summary>
public enum CancelResult
{
    Cancelled,
    NotFound,
    AlreadyFinished,
}
