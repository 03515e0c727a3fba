using Luigi.Engine.Graph;
using Luigi.Engine.Scheduling;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Execution;

/// <summary>
/// The run queue of one process, nothing persisted (Quartz.NET's <c>RAMJobStore</c>): the command line's
/// <c>--store memory</c>, <see cref="LuigiEngine"/> and the engine's tests. The states live in the graphs'
/// <see cref="TaskNode"/>s themselves, so a caller holding the graph sees every change as it is made. Each task
/// keeps a count of unsatisfied requirements and the ready ones wait in a <see cref="ReadyQueue"/> per run, so a
/// claim costs O(log n) and nothing is rescanned. Every operation runs under one lock and completes at once.
/// Leases mean nothing here (no other process can take a task over): heartbeats and lease recovery do nothing.
/// A task id runs in one attempt at a time across the runs of this queue (its whole world): a run that reaches a task
/// another run is running waits for it (<see cref="TaskState.Waiting"/>), and the resources' totals are kept, as the
/// store's queue does across hosts.
/// </summary>
internal sealed class MemoryRunQueue(TimeProvider time, IReadOnlyDictionary<string, int>? resources = null) : IRunQueue
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, MemoryRun> _runs = [];
    private readonly List<MemoryRun> _active = [];
    private readonly Dictionary<string, (MemoryRun Run, TaskNode Node)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(MemoryRun Run, TaskNode Node)>> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _used = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, int> _totals = resources ?? new Dictionary<string, int>();

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public bool GroupsCommits => false;

    /// <inheritdoc />
    public bool IsDataError(Exception exception) => false;

    /// <inheritdoc />
    public void ForgetBrokenConnections(Exception exception)
    {
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <inheritdoc />
    public Task<Guid> EnqueueAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var record = request.ToQueuedRun(time);
        lock (_lock)
        {
            if (!_runs.TryAdd(record.Id, new MemoryRun(record)))
            {
                throw new InvalidOperationException($"There is a run {record.Id} already.");
            }

            _active.Add(_runs[record.Id]);
        }

        return Task.FromResult(record.Id);
    }

    /// <inheritdoc />
    public Task<RunRecord?> FindRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId)?.Record);
        }
    }

    /// <inheritdoc />
    public Task<bool> HasTaskAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId)?.Graph?.Find(taskId) is not null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> TaskIdsAsync(Guid runId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyCollection<string> ids = _runs.GetValueOrDefault(runId)?.Graph?.Nodes.Select(n => n.TaskId).ToArray() ?? [];
            return Task.FromResult(ids);
        }
    }

    /// <inheritdoc />
    public Task<(string Family, IReadOnlyDictionary<string, string> Parameters)?> DescribeTaskAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var node = _runs.GetValueOrDefault(runId)?.Graph?.Find(taskId);
            return Task.FromResult<(string, IReadOnlyDictionary<string, string>)?>(
                node is null ? null : (node.Family, node.Task.DescribeParameters().ToDictionary(p => p.Key, p => p.Value)));
        }
    }

    /// <inheritdoc />
    public Task LoadAsync(Guid runId, TaskGraph graph, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<ResolutionOverrides?> PlanRerunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var parent = run.ParentRunId is { } id ? _runs.GetValueOrDefault(id)?.Graph : null;
            var nodes = parent?.Nodes ?? [];
            return Task.FromResult(RerunPlanner.Plan(
                run, nodes.Select(n => (n.Index, n.TaskId, n.State)).ToList(), nodes.SelectMany(n => n.Dependents.Select(d => (n.Index, d))).ToLookup(e => e.Index, e => e.d)));
        }
    }

    /// <inheritdoc />
    public Task<RunRecord?> TakeQueuedRunAsync(string hostId, Guid? onlyRun, RunLimits limits, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var run = _active.FirstOrDefault(r => r.Record.State == RunState.Queued && (onlyRun is null || r.Record.Id == onlyRun)
                && !(limits.Of(r.Record.Pipeline) is { } limit
                     && _active.Count(a => a.Record.Pipeline == r.Record.Pipeline && a.Record.State is RunState.Resolving or RunState.Running or RunState.Cancelling) >= limit));
            if (run is not null)
            {
                run.Record.State = RunState.Resolving;
                run.Record.ResolvedBy = hostId;
                run.Record.StartedAt = Now;
            }

            return Task.FromResult(run?.Record);
        }
    }

    /// <inheritdoc />
    public Task<RunStateChange> SaveGraphAsync(Guid runId, TaskGraph graph, CancellationToken cancellationToken)
    {
        var (states, blockedBy) = GraphOrder.InitialStates(graph);
        lock (_lock)
        {
            var run = _runs[runId];
            run.Graph = graph;
            foreach (var node in graph.Nodes)
            {
                node.State = states[node.Index];
                node.BlockedBy ??= blockedBy[node.Index];
                if (!node.State.IsTerminal())
                {
                    run.Unfinished++;
                }

                node.RemainingRequirements = node.Requirements.Count(r => !states[r].IsSatisfied());
                if (node.State == TaskState.Pending && node.RemainingRequirements == 0)
                {
                    run.Ready.Push(node, node.Priority);
                }
            }

            MarkShared(run);
            if (run.Record.State == RunState.Resolving)
            {
                run.Record.State = RunState.Running;
            }

            run.Record.TaskCount = graph.Nodes.Count;
            var cancelled = CancelWaitingIfCancelling(run);
            return Task.FromResult((FinishIfDone(run) ?? new RunStateChange(runId, run.Record.Pipeline, run.Record.State)) with { CancelledTasks = cancelled });
        }
    }

    /// <inheritdoc />
    public Task FailRunAsync(Guid runId, string error, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var run = _runs[runId];
            run.Record.State = RunState.Failed;
            run.Record.Error = error;
            run.Record.FinishedAt = Now;
            _active.Remove(run);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<List<ClaimedTask>> ClaimAsync(string hostId, IReadOnlyList<int> workers, TimeSpan lease, Guid? onlyRun, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Claim(workers, onlyRun));
        }
    }

    /// <inheritdoc />
    public Task<(CompletionResult?[] Results, List<ClaimedTask> Claimed)> CompleteAsync(
        string hostId, IReadOnlyList<TaskCompletion> completions, ClaimRequest? claim, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var results = new CompletionResult?[completions.Count];
            for (var i = 0; i < completions.Count; i++)
            {
                results[i] = Complete(completions[i]);
            }

            var claimed = claim is { Workers.Count: > 0 } ? Claim(claim.Workers, claim.OnlyRun) : [];
            return Task.FromResult((results, claimed));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> SatisfiedAsync(Guid runId, IReadOnlyList<string> taskIds, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var graph = _runs.GetValueOrDefault(runId)?.Graph;
            IReadOnlySet<string> done = taskIds.Where(id => graph?.Find(id)?.State.IsSatisfied() == true).ToHashSet(StringComparer.Ordinal);
            return Task.FromResult(done);
        }
    }

    /// <inheritdoc />
    public Task<int> SuspendedAttemptsAsync(Guid runId, int taskIndex, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var node = _runs.GetValueOrDefault(runId)?.Graph?.Nodes.ElementAtOrDefault(taskIndex);
            return Task.FromResult(node?.Attempts.Count(a => a.Outcome == TaskState.Pending) ?? 0);
        }
    }

    /// <inheritdoc />
    public Task<SuspendResult?> SuspendAsync(
        string hostId, ClaimedTask requester, TaskGraph requested, IReadOnlyList<LogLine> log, int truncatedLogLines, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Holding(requester.RunId, requester.TaskIndex, requester.Attempt) is not ({ } run, { } node))
            {
                return Task.FromResult<SuspendResult?>(null);
            }

            var graph = run.Graph!;
            var plan = GraphExtension.Plan(requested, node.TaskId, node.Index,
                id => graph.Find(id) is { } known ? new RunTaskState(known.Index, known.TaskId, known.State, known.BlockedBy) : null,
                Downstream(graph, node), graph.Nodes.Count);
            if (plan.CycleError is not null)
            {
                return Task.FromResult<SuspendResult?>(new SuspendResult(plan, [], null));
            }

            DynamicRequirements.Merge(graph, plan);
            foreach (var added in plan.Added)
            {
                var task = graph.Nodes[added.Index];
                if (!task.State.IsTerminal())
                {
                    run.Unfinished++;
                    if (task.State == TaskState.Pending && task.RemainingRequirements == 0)
                    {
                        run.Ready.Push(task, task.Priority);
                    }
                }
            }

            run.Record.TaskCount = graph.Nodes.Count;
            node.Attempts[^1].Close(time.GetUtcNow(), TaskState.Pending, null, log, truncatedLogLines); // suspended: no failure, no retry used
            Stopped(node);
            IReadOnlyList<(int Index, string TaskId)> blocked = [];
            if (plan.RequesterBlockedBy is { } blocker)
            {
                node.State = TaskState.UpstreamFailed;
                node.BlockedBy = blocker;
                blocked = [(node.Index, node.TaskId), .. Block(run, node)];
                run.Unfinished -= blocked.Count;
            }
            else
            {
                node.State = TaskState.Pending;
                node.RemainingRequirements = plan.RequesterRemaining;
                if (plan.RequesterRemaining == 0)
                {
                    run.Ready.Push(node, node.Priority);
                }
            }

            CancelWaitingIfCancelling(run);
            return Task.FromResult<SuspendResult?>(new SuspendResult(plan, blocked, FinishIfDone(run)));
        }
    }

    /// <summary>The ids of <paramref name="node"/> and of every task downstream of it.</summary>
    private static HashSet<string> Downstream(TaskGraph graph, TaskNode node)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal) { node.TaskId };
        var stack = new Stack<TaskNode>([node]);
        while (stack.TryPop(out var current))
        {
            foreach (var dependent in current.Dependents)
            {
                if (ids.Add(graph.Nodes[dependent].TaskId))
                {
                    stack.Push(graph.Nodes[dependent]);
                }
            }
        }

        return ids;
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string hostId, ClaimedTask task, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Holding(task.RunId, task.TaskIndex, task.Attempt) is ({ } run, { } node))
            {
                node.Attempts[^1].Close(time.GetUtcNow(), TaskState.Cancelled, "The host stopped; the task was put back in the queue.", [], 0);
                node.State = TaskState.Pending;
                run.Ready.Push(node, node.Priority);
                Stopped(node);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<(CancelResult Result, RunStateChange? Run)> CancelAsync(Guid runId, string? requestedBy, RunTrigger via, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                return Task.FromResult<(CancelResult, RunStateChange?)>((CancelResult.NotFound, null));
            }

            List<(int Index, string TaskId, int Attempts)> cancelled = [];
            switch (run.Record.State)
            {
                case RunState.Queued:
                    run.Record.State = RunState.Cancelled;
                    run.Record.FinishedAt = Now;
                    _active.Remove(run);
                    break;
                case RunState.Resolving or RunState.Running:
                    run.Record.State = RunState.Cancelling;
                    cancelled = CancelWaitingIfCancelling(run);
                    FinishIfDone(run);
                    break;
                default:
                    return Task.FromResult<(CancelResult, RunStateChange?)>((CancelResult.AlreadyFinished, null));
            }

            var change = new RunStateChange(runId, run.Record.Pipeline, run.Record.State) { CancelledTasks = cancelled };
            return Task.FromResult<(CancelResult, RunStateChange?)>((CancelResult.Cancelled, change));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> CancellingAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<Guid> cancelling = runIds.Where(id => _runs.GetValueOrDefault(id)?.Record.State is RunState.Cancelling or RunState.Cancelled).ToList();
            return Task.FromResult(cancelling);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(Guid RunId, int TaskIndex)>> HeartbeatAsync(
        HostRecord host, TimeSpan lease, IReadOnlyCollection<(Guid RunId, int TaskIndex)> holds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(Guid RunId, int TaskIndex)>>([]);

    /// <inheritdoc />
    public Task<RequeueResult> RequeueExpiredAsync(TimeSpan hostTimeout, CancellationToken cancellationToken) => Task.FromResult(new RequeueResult([], []));

    /// <inheritdoc />
    public Task StopHostAsync(string hostId, CancellationToken cancellationToken) => Task.CompletedTask;

    private List<ClaimedTask> Claim(IReadOnlyList<int> workers, Guid? onlyRun)
    {
        var claimed = new List<ClaimedTask>();
        var taken = 0;
        var now = Now;
        foreach (var run in _active)
        {
            if (run.Record.State != RunState.Running || (onlyRun is not null && run.Record.Id != onlyRun))
            {
                continue;
            }

            while (run.Delayed.TryPeek(out var waiting, out var due) && due <= now)
            {
                run.Delayed.Dequeue();
                if (waiting.State == TaskState.RetryWaiting)
                {
                    run.Ready.Push(waiting, waiting.Priority);
                }
            }

            List<TaskNode>? shortOf = null;
            while (taken < workers.Count && run.Ready.TryPop(out var node))
            {
                if (_running.TryGetValue(node.TaskId, out var holder))
                {
                    // Another run runs this task id: wait for its attempt to end, then look at the task again.
                    node.State = TaskState.Waiting;
                    node.BlockedBy = holder.Run.Record.Id.ToString();
                    node.Recheck = !node.Forced;
                    (_waiting.TryGetValue(node.TaskId, out var waiters) ? waiters : _waiting[node.TaskId] = []).Add((run, node));
                    claimed.Add(new ClaimedTask(run.Record.Id, node.Index, node.TaskId, node.Attempts.Count, 0, now, WaitsFor: holder.Run.Record.Id));
                    continue;
                }

                if (!Fits(node.Resources))
                {
                    (shortOf ??= []).Add(node); // waits in the ready queue for the resource to be given back
                    continue;
                }

                var worker = workers[taken++];
                var attempt = new AttemptRecord(node.Attempts.Count + 1, worker, new DateTimeOffset(now, TimeSpan.Zero));
                node.AddAttempt(attempt);
                node.State = TaskState.Running;
                _running[node.TaskId] = (run, node);
                Hold(node.Resources, +1);
                claimed.Add(new ClaimedTask(run.Record.Id, node.Index, node.TaskId, attempt.Number, worker, now, node.Recheck));
            }

            foreach (var node in shortOf ?? [])
            {
                run.Ready.Push(node, node.Priority);
            }

            if (taken == workers.Count)
            {
                break;
            }
        }

        return claimed;
    }

    /// <summary>Whether the resources a task needs are free now (nothing needed fits always).</summary>
    private bool Fits(IReadOnlyDictionary<string, int> needs)
    {
        foreach (var (name, amount) in needs)
        {
            if (_used.GetValueOrDefault(name) + amount > _totals.GetValueOrDefault(name))
            {
                return false;
            }
        }

        return true;
    }

    private void Hold(IReadOnlyDictionary<string, int> needs, int sign)
    {
        foreach (var (name, amount) in needs)
        {
            _used[name] = _used.GetValueOrDefault(name) + sign * amount;
        }
    }

    /// <summary>
    /// The attempt of <paramref name="node"/> ended (or was given back): its task id and resources are free again, and the
    /// tasks of other runs that waited for it are ready again, to look at their completeness when claimed. Returns how
    /// many were woken.
    /// </summary>
    private int Stopped(TaskNode node)
    {
        Hold(node.Resources, -1);
        if (!_running.Remove(node.TaskId, out var holder) || holder.Node != node)
        {
            return 0;
        }

        if (!_waiting.Remove(node.TaskId, out var waiters))
        {
            return 0;
        }

        var woken = 0;
        foreach (var (run, waiter) in waiters)
        {
            if (waiter.State == TaskState.Waiting)
            {
                waiter.State = TaskState.Pending;
                waiter.BlockedBy = null;
                run.Ready.Push(waiter, waiter.Priority);
                woken++;
            }
        }

        return woken;
    }

    /// <summary>
    /// The tasks of a run just saved that another unfinished run also has (same task id), on both sides, are looked at
    /// again when claimed: whichever runs first may make the task for the other.
    /// </summary>
    private void MarkShared(MemoryRun run)
    {
        foreach (var other in _active)
        {
            if (other == run || other.Graph is null || other.Record.State is not (RunState.Running or RunState.Cancelling))
            {
                continue;
            }

            foreach (var node in run.Graph!.Nodes)
            {
                if (!node.State.IsTerminal() && other.Graph.Find(node.TaskId) is { } twin && !twin.State.IsTerminal())
                {
                    node.Recheck = !node.Forced;
                    twin.Recheck = !twin.Forced;
                }
            }
        }
    }

    private CompletionResult? Complete(TaskCompletion completion)
    {
        if (Holding(completion.RunId, completion.TaskIndex, completion.Attempt) is not ({ } run, { } node))
        {
            return null;
        }

        var finishedAt = new DateTimeOffset(completion.FinishedAt ?? Now, TimeSpan.Zero);
        var state = completion.State == TaskState.RetryWaiting && run.Record.State == RunState.Cancelling ? TaskState.Cancelled : completion.State;
        if (state == TaskState.Complete)
        {
            node.DropLastAttempt(); // found complete when claimed: the attempt never ran
        }
        else
        {
            node.Attempts[^1].Close(finishedAt, state == TaskState.RetryWaiting ? TaskState.Failed : state, completion.Error, completion.Log, completion.TruncatedLogLines);
        }

        node.State = state;
        node.BlockedBy = state == TaskState.RetryWaiting ? completion.BlockedBy : null; // a check for data that has not arrived: when it gives up
        var released = Stopped(node);
        IReadOnlyList<(int Index, string TaskId)> blocked = [];
        switch (state)
        {
            case TaskState.Done or TaskState.Complete:
                foreach (var index in node.Dependents)
                {
                    var dependent = run.Graph!.Nodes[index];
                    if (--dependent.RemainingRequirements == 0 && dependent.State == TaskState.Pending)
                    {
                        run.Ready.Push(dependent, dependent.Priority);
                        released++;
                    }
                }

                run.Unfinished--;
                break;
            case TaskState.RetryWaiting:
                run.Delayed.Enqueue(node, completion.RetryAt ?? finishedAt.UtcDateTime);
                break;
            case TaskState.Failed:
                node.Error = completion.Error;
                var cascade = Block(run, node);
                run.Unfinished -= 1 + cascade.Count;
                blocked = cascade;
                break;
            default:
                run.Unfinished--;
                break;
        }

        CancelWaitingIfCancelling(run);
        var finished = FinishIfDone(run);
        return new CompletionResult(released, blocked, finished?.State, finished?.Pipeline);
    }

    /// <summary>Every task downstream of <paramref name="failed"/> that still waits becomes UpstreamFailed, naming it.</summary>
    private static List<(int Index, string TaskId)> Block(MemoryRun run, TaskNode failed)
    {
        var blocked = new List<(int, string)>();
        var stack = new Stack<TaskNode>([failed]);
        while (stack.TryPop(out var current))
        {
            foreach (var index in current.Dependents)
            {
                var dependent = run.Graph!.Nodes[index];
                if (dependent.State == TaskState.Pending)
                {
                    dependent.State = TaskState.UpstreamFailed;
                    dependent.BlockedBy = failed.TaskId;
                    blocked.Add((index, dependent.TaskId));
                    stack.Push(dependent);
                }
            }
        }

        return blocked;
    }

    private (MemoryRun Run, TaskNode Node)? Holding(Guid runId, int taskIndex, int attempt)
    {
        var run = _runs.GetValueOrDefault(runId);
        var node = run?.Graph?.Nodes[taskIndex];
        return node is { State: TaskState.Running } && node.Attempts.Count == attempt ? (run!, node) : null;
    }

    /// <summary>A run being cancelled: its waiting tasks (pending, ready or waiting for a retry) are cancelled at once.</summary>
    private static List<(int Index, string TaskId, int Attempts)> CancelWaitingIfCancelling(MemoryRun run)
    {
        var cancelled = new List<(int, string, int)>();
        if (run.Record.State != RunState.Cancelling || run.Graph is null)
        {
            return cancelled;
        }

        run.Ready.Drain();
        run.Delayed.Clear();
        foreach (var node in run.Graph.Nodes)
        {
            if (node.State is TaskState.Pending or TaskState.RetryWaiting or TaskState.Waiting)
            {
                node.State = TaskState.Cancelled;
                node.BlockedBy = null;
                run.Unfinished--;
                cancelled.Add((node.Index, node.TaskId, node.Attempts.Count));
            }
        }

        return cancelled;
    }

    /// <summary>Ends the run once nothing is unfinished, by the same rule as the store's (<c>RunEndSql</c>).</summary>
    private RunStateChange? FinishIfDone(MemoryRun run)
    {
        if (run.Unfinished > 0 || run.Graph is null || run.Record.State is not (RunState.Running or RunState.Cancelling))
        {
            return null;
        }

        var graph = run.Graph;
        run.Record.State = graph.Roots.All(r => graph.Nodes[r].State.IsSatisfied()) ? RunState.Succeeded
            : run.Record.State == RunState.Cancelling ? RunState.Cancelled
            : RunState.Failed;
        run.Record.FinishedAt = Now;
        _active.Remove(run);
        return new RunStateChange(run.Record.Id, run.Record.Pipeline, run.Record.State);
    }

    private sealed class MemoryRun(RunRecord record)
    {
        public RunRecord Record { get; } = record;

        public TaskGraph? Graph { get; set; }

        public ReadyQueue Ready { get; } = new();

        /// <summary>Tasks waiting for their retry delay, soonest first.</summary>
        public PriorityQueue<TaskNode, DateTime> Delayed { get; } = new();

        public int Unfinished { get; set; }
    }
}
