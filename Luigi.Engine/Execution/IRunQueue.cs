using Luigi.Engine.Graph;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Execution;

/// <summary>
/// The seam between the one executor (<see cref="StoreExecutor"/>) and where runs are kept, as Quartz.NET's
/// <c>IJobStore</c> is between its scheduler and <c>RAMJobStore</c> / <c>JobStoreTX</c>. The executor decides
/// what happens (resolve, claim, run an attempt, retry after a delay, cancel); the queue keeps the states and
/// answers with the consequences of each change in one step (an outcome commits with the dependents it releases
/// or blocks and the run it ends). Two implementations: <see cref="MemoryRunQueue"/> (one process, nothing
/// persisted: the command line's <c>--store memory</c>, <see cref="LuigiEngine"/>, the engine's tests) and
/// <c>RunQueue</c> (in Luigi.Storage: SQLite or PostgreSQL, shared by every host of a store). Both pass the engine's one
/// semantics suite.
/// </summary>
internal interface IRunQueue
{
    /// <summary>
    /// True when other processes may change the queue (several hosts on one database): the executor then keeps a
    /// heartbeat, renews leases, puts back what dead hosts held, and polls for work others made ready. A queue
    /// only this process sees tells the executor of every change itself, so nothing is polled.
    /// </summary>
    bool IsShared { get; }

    /// <summary>
    /// True when a commit costs a round trip to a database, so that the outcomes of workers finishing together are
    /// worth gathering into one transaction (group commit). A queue in memory commits each outcome from its worker.
    /// </summary>
    bool GroupsCommits { get; }

    /// <summary>
    /// True when <paramref name="exception"/>, thrown by an operation of this queue, is an error in the data itself (on
    /// PostgreSQL, classes 22 and 23), which would come back on every try; false for a database that could not be reached.
    /// A queue in memory never reaches a database.
    /// </summary>
    bool IsDataError(Exception exception);

    /// <summary>After an operation failed because the database could not be reached: drops what the failure showed to be
    /// broken (the pool's dead connections after a server restarted), so that the next try opens new ones.</summary>
    void ForgetBrokenConnections(Exception exception);

    /// <summary>Writes a queued run (and its audit entry) and returns its id.</summary>
    Task<Guid> EnqueueAsync(RunRequest request, CancellationToken cancellationToken);

    /// <summary>The run, or null when there is none with that id.</summary>
    Task<RunRecord?> FindRunAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Whether the run's graph has a task with that id.</summary>
    Task<bool> HasTaskAsync(Guid runId, string taskId, CancellationToken cancellationToken);

    /// <summary>The task ids of the run's graph (to find the task instances again on another host).</summary>
    Task<IReadOnlyCollection<string>> TaskIdsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>A task's family and parameters as the run keeps them (to make again a task found at run time), or null.</summary>
    Task<(string Family, IReadOnlyDictionary<string, string> Parameters)?> DescribeTaskAsync(Guid runId, string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Brings the nodes of <paramref name="graph"/> (the run's graph as resolved in this process) up to date with what
    /// the queue holds: each task's state, error and blocker, and its attempts with their logs. A queue in memory keeps
    /// its states in those nodes already.
    /// </summary>
    Task LoadAsync(Guid runId, TaskGraph graph, CancellationToken cancellationToken);

    /// <summary>The completeness overrides a re-run's scope asks for (see <see cref="RerunPlanner"/>), or null.</summary>
    Task<ResolutionOverrides?> PlanRerunAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>Takes the oldest queued run (only <paramref name="onlyRun"/> when set) to resolve, or null; a run whose
    /// pipeline has as many active runs as <paramref name="limits"/> allow stays queued.</summary>
    Task<RunRecord?> TakeQueuedRunAsync(string hostId, Guid? onlyRun, RunLimits limits, CancellationToken cancellationToken);

    /// <summary>Writes the resolved graph and starts the run, or ends it at once when nothing is left to do (or a
    /// cancel came while it was resolved). Returns the run's state once written.</summary>
    Task<RunStateChange> SaveGraphAsync(Guid runId, TaskGraph graph, CancellationToken cancellationToken);

    /// <summary>The run could not be resolved: it fails as a whole with <paramref name="error"/>.</summary>
    Task FailRunAsync(Guid runId, string error, CancellationToken cancellationToken);

    /// <summary>Claims up to one ready task for each of <paramref name="workers"/>, best first (priority, then critical
    /// path, then discovery order); the n-th best goes to the n-th worker. Returns fewer when fewer are ready.</summary>
    Task<List<ClaimedTask>> ClaimAsync(string hostId, IReadOnlyList<int> workers, TimeSpan lease, Guid? onlyRun, CancellationToken cancellationToken);

    /// <summary>
    /// Commits how several attempts ended, each with its consequences (dependents released or blocked, the run
    /// ended), all or nothing. Result i is null when outcome i was refused (the host no longer holds the task).
    /// With <paramref name="claim"/>, the same step then claims for idle workers, released dependents included.
    /// </summary>
    Task<(CompletionResult?[] Results, List<ClaimedTask> Claimed)> CompleteAsync(
        string hostId, IReadOnlyList<TaskCompletion> completions, ClaimRequest? claim, CancellationToken cancellationToken);

    /// <summary>The ids among <paramref name="taskIds"/> of tasks that are Done or Complete in the run (a task required at run
    /// time counts as done once it ran, even with no outputs).</summary>
    Task<IReadOnlySet<string>> SatisfiedAsync(Guid runId, IReadOnlyList<string> taskIds, CancellationToken cancellationToken);

    /// <summary>
    /// Suspends a running task that required <paramref name="requested"/> at run time (resolved on their own), all or
    /// nothing: the tasks are merged into the run's graph (<see cref="GraphExtension"/>) and written like the others, and the
    /// requester goes back to Pending until they are satisfied (or UpstreamFailed, with its downstream, when one has failed
    /// already). Its attempt ends <see cref="TaskState.Pending"/> (suspended, no failure) with the lines it logged,
    /// <paramref name="log"/>; the next attempt resumes it. A request that would close a cycle changes nothing: the plan's
    /// <see cref="GraphExtension.CycleError"/> says why, and the caller fails the task. Null when this host no longer holds the task.
    /// </summary>
    Task<SuspendResult?> SuspendAsync(
        string hostId, ClaimedTask requester, TaskGraph requested, IReadOnlyList<LogLine> log, int truncatedLogLines, CancellationToken cancellationToken);

    /// <summary>How many attempts of the task were suspended for requirements found at run time: they use none of its retries.</summary>
    Task<int> SuspendedAttemptsAsync(Guid runId, int taskIndex, CancellationToken cancellationToken);

    /// <summary>Gives a running task back without judging it (its host is stopping); the attempt is closed as cancelled.</summary>
    Task ReleaseAsync(string hostId, ClaimedTask task, CancellationToken cancellationToken);

    /// <summary>Cancels a run: a queued run ends at once; otherwise its waiting tasks are cancelled and it is
    /// Cancelling until its running attempts have stopped. The cancel is audited for <paramref name="requestedBy"/>.</summary>
    Task<(CancelResult Result, RunStateChange? Run)> CancelAsync(Guid runId, string? requestedBy, RunTrigger via, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="runIds"/> are being cancelled (so their running attempts must stop).</summary>
    Task<IReadOnlyList<Guid>> CancellingAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken);

    /// <summary>
    /// Records the host's heartbeat and renews the leases of the tasks it <paramref name="holds"/>. Returns the held
    /// tasks whose lease could not be renewed because the host no longer holds them (their lease ran out and another
    /// attempt took them over): their attempts must stop.
    /// </summary>
    Task<IReadOnlyList<(Guid RunId, int TaskIndex)>> HeartbeatAsync(HostRecord host, TimeSpan lease, IReadOnlyCollection<(Guid RunId, int TaskIndex)> holds, CancellationToken cancellationToken);

    /// <summary>Puts back what hosts that stopped renewing held (expired leases, half-resolved runs).</summary>
    Task<RequeueResult> RequeueExpiredAsync(TimeSpan hostTimeout, CancellationToken cancellationToken);

    /// <summary>Marks the host stopped.</summary>
    Task StopHostAsync(string hostId, CancellationToken cancellationToken);
}
