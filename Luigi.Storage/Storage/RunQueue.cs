using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Luigi.Engine.Storage;

/// <summary>
/// The store's write path, shared by every host: queued runs are taken by one host, which resolves and
/// writes the graph; ready tasks are claimed by any host's workers with a lease; outcomes are committed
/// with their consequences (dependents released or blocked, the run finished) in one transaction.
/// Correctness under concurrency comes from the database: row locks with <c>SKIP LOCKED</c> on
/// PostgreSQL, one writer at a time on SQLite, and guards that refuse an outcome from a host whose lease
/// was taken over.
/// </summary>
/// <remarks>
/// This file holds the runs (enqueued, taken, resolved, failed, cancelled) and the claims and outcomes
/// of their tasks; <c>RunQueue.Leases.cs</c> holds the hosts' heartbeats, leases and their recovery.
/// Outcomes are committed by <see cref="CompletionSql"/> (PostgreSQL) or <see cref="SqliteCompletion"/>,
/// and runs end through <see cref="RunEndSql"/>.
/// </remarks>
/// <param name="store">The database.</param>
/// <param name="time">The clock.</param>
/// <param name="shared">False when one process alone uses the database (a run of <see cref="LuigiEngine"/> on a store
/// file): no heartbeat, lease renewal or polling is needed then.</param>
/// <param name="resources">The resources' totals (<see cref="LuigiEngineOptions.Resources"/>); with none, no task can need any,
/// and claims never look for such tasks.</param>
/// <param name="logger">Where what goes wrong without failing anything is told (a refresh of the statistics that failed).</param>
internal sealed partial class RunQueue(
    LuigiStore store, TimeProvider time, bool shared = true, IReadOnlyDictionary<string, int>? resources = null, ILogger? logger = null) : IRunQueue
{
    private const long TakeLock = 0x4C756967_69510001;

    private readonly SqlCommands _sql = new(store);
    private readonly IReadOnlyDictionary<string, int> _resources = resources ?? new Dictionary<string, int>();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <inheritdoc />
    public bool IsShared => shared;

    /// <inheritdoc />
    public bool GroupsCommits => true;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<Guid> EnqueueAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var run = request.ToQueuedRun(time);
        await using var context = store.CreateDbContext();
        context.Runs.Add(run);
        context.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            RunId = run.Id,
            At = run.CreatedAt,
            Actor = Actor(request.RequestedBy),
            Action = request.ParentRunId is null ? AuditAction.Triggered : AuditAction.Rerun,
            Via = request.Trigger,
            ClientAddress = AuditOrigin.ClientAddress,
            Details = request.ParentRunId is { } parent
                ? $"Re-run of {parent}: {request.RerunScope}{(request.RerunTaskId is { } task ? $" from {task}" : "")}"
                : null,
        });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return run.Id;
    }

    /// <inheritdoc />
    public async Task<RunRecord?> FindRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return await context.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> HasTaskAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return await context.RunTasks.AnyAsync(t => t.RunId == runId && t.TaskId == taskId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyCollection<string>> TaskIdsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).Select(t => t.TaskId).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ResolutionOverrides?> PlanRerunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.ParentRunId is not { } parentId || run.RerunScope is null or RerunScope.All)
        {
            return null;
        }

        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == parentId)
            .Select(t => new { t.TaskIndex, t.TaskId, t.State }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var edges = run.RerunScope == RerunScope.TaskAndDownstream
            ? await context.RunEdges.AsNoTracking().Where(e => e.RunId == parentId)
                .Select(e => new { e.RequirementIndex, e.DependentIndex }).ToListAsync(cancellationToken).ConfigureAwait(false)
            : [];
        return RerunPlanner.Plan(run, tasks.ConvertAll(t => (t.TaskIndex, t.TaskId, t.State)), edges.ToLookup(e => e.RequirementIndex, e => e.DependentIndex));
    }

    /// <summary>
    /// Takes the oldest queued run for <paramref name="hostId"/> to resolve, or null. A run whose pipeline has as many active
    /// runs as <paramref name="limits"/> allow is passed over; with limits, hosts take runs one at a time (an advisory lock on
    /// PostgreSQL, held to the commit), so that two hosts cannot both count the same free place.
    /// </summary>
    public async Task<RunRecord?> TakeQueuedRunAsync(string hostId, Guid? onlyRun, RunLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        var limited = limits.All.Count > 0;
        await using var transaction = limited ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        if (limited && _sql.IsPostgres)
        {
            await _sql.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({TakeLock})", cancellationToken).ConfigureAwait(false);
        }

        var underLimit = !limited ? ""
            : " " + $"""
                AND NOT EXISTS (SELECT 1 FROM {(_sql.IsPostgres ? "unnest(@names::text[], @limits::integer[]) AS l(name, n)" : "(SELECT key AS name, value AS n FROM json_each(@limitsJson)) l")}
                   WHERE lower(l.name) = lower(q.pipeline)
                     AND (SELECT count(*) FROM runs a WHERE a.pipeline = q.pipeline AND a.state IN ('Resolving', 'Running', 'Cancelling')) >= l.n)
               """;
        var taken = await _sql.QueryAsync(connection, transaction,
            $"""
            UPDATE runs SET state = 'Resolving', resolved_by = @host, started_at = @now
            WHERE id IN (SELECT q.id FROM runs q WHERE q.state = 'Queued'{(onlyRun is null ? "" : " AND q.id = @only")}{underLimit}
                         ORDER BY q.created_at LIMIT 1{_sql.SkipLocked})
            RETURNING id
            """,
            r => SqlCommands.ReadGuid(r, 0), cancellationToken, ("host", hostId), ("now", Now), ("only", onlyRun),
            ("names", limits.All.Keys.ToArray()), ("limits", limits.All.Values.ToArray()),
            ("limitsJson", System.Text.Json.JsonSerializer.Serialize(limits.All))).ConfigureAwait(false);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (taken.Count == 0)
        {
            return null;
        }

        await using var context = store.CreateDbContext();
        return await context.Runs.AsNoTracking().SingleAsync(r => r.Id == taken[0], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the resolved graph and starts the run (or finishes it at once when nothing is left to do).
    /// Returns the run's state once committed: Running, or a final state (nothing to do, or a cancel was
    /// asked while it was resolved).
    /// </summary>
    public async Task<RunStateChange> SaveGraphAsync(Guid runId, TaskGraph graph, CancellationToken cancellationToken)
    {
        var (states, blockedBy) = GraphOrder.InitialStates(graph);
        var unfinished = states.Count(s => !s.IsTerminal());
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await GraphWriter.WriteAsync(_sql, connection, transaction, runId, graph, states, blockedBy, Now, cancellationToken).ConfigureAwait(false);
        await ExclusionSql.MarkSharedAsync(_sql, connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        var started = await _sql.QueryAsync(connection, transaction,
            """
            UPDATE runs SET state = CASE WHEN state = 'Resolving' THEN 'Running' ELSE state END,
                task_count = @count, unfinished_count = @unfinished
            WHERE id = @run
            RETURNING state, pipeline
            """,
            r => new RunStateChange(runId, r.GetString(1), Enum.Parse<RunState>(r.GetString(0))),
            cancellationToken, ("run", runId), ("count", graph.Nodes.Count), ("unfinished", unfinished)).ConfigureAwait(false);
        var cancelled = await RunEndSql.CancelWaitingTasksIfCancellingAsync(_sql, connection, transaction, runId, Now, cancellationToken).ConfigureAwait(false);
        var finished = await RunEndSql.FinishIfDoneAsync(_sql, connection, transaction, runId, Now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await GraphWriter.RefreshStatisticsAsync(_sql, graph.Nodes.Count, graph.EdgeCount, _logger, cancellationToken).ConfigureAwait(false);
        return (finished ?? started.Single()) with { CancelledTasks = cancelled };
    }

    /// <summary>The run could not be resolved (a cycle, a pipeline that throws): it fails as a whole.</summary>
    public async Task FailRunAsync(Guid runId, string error, CancellationToken cancellationToken)
    {
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, null,
            "UPDATE runs SET state = 'Failed', error = @error, finished_at = @now WHERE id = @run",
            cancellationToken, ("run", runId), ("error", SqlCommands.NoNul(error)), ("now", Now)).ConfigureAwait(false);
    }

    /// <summary>Claims the best ready task for one worker of <paramref name="hostId"/>, or null when none is ready.</summary>
    public async Task<ClaimedTask?> ClaimAsync(string hostId, int worker, TimeSpan lease, Guid? onlyRun, CancellationToken cancellationToken) =>
        (await ClaimAsync(hostId, [worker], lease, onlyRun, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// Claims up to one ready task for each of <paramref name="workers"/> (idle worker slots of
    /// <paramref name="hostId"/>) in one transaction, best first: the first task goes to the first worker.
    /// Returns fewer when fewer are ready. Tasks that need resources are claimed after the others, for the workers left,
    /// when resources are configured (<see cref="ResourceClaimSql"/>).
    /// </summary>
    public async Task<List<ClaimedTask>> ClaimAsync(string hostId, IReadOnlyList<int> workers, TimeSpan lease, Guid? onlyRun, CancellationToken cancellationToken)
    {
        var now = Now;
        if (workers.Count == 0)
        {
            return [];
        }

        var claimed = await ClaimSql.ClaimAsync(_sql, hostId, workers, now, now + lease, onlyRun, cancellationToken).ConfigureAwait(false);
        var left = workers.Except(claimed.Select(c => c.Worker)).ToList();
        if (_resources.Count > 0 && left.Count > 0)
        {
            claimed.AddRange(await ResourceClaimSql.ClaimAsync(_sql, _resources, hostId, left, now, now + lease, onlyRun, cancellationToken).ConfigureAwait(false));
        }

        return claimed;
    }

    /// <summary>
    /// Commits how an attempt ended, with its consequences. Returns null when the host no longer holds
    /// the task (its lease expired and the task was given to another attempt): nothing is written then.
    /// </summary>
    public async Task<CompletionResult?> CompleteAsync(string hostId, TaskCompletion completion, CancellationToken cancellationToken) =>
        (await CompleteAsync(hostId, [completion], null, cancellationToken).ConfigureAwait(false)).Results[0];

    /// <summary>
    /// Commits how several attempts ended, with their consequences, in one transaction (all or nothing).
    /// The result at position i is null when outcome i was refused because the host no longer holds that
    /// task; the other outcomes are written all the same. With <paramref name="claim"/>, the same
    /// transaction then claims ready tasks for idle workers (see <see cref="ClaimAsync(string, IReadOnlyList{int}, TimeSpan, Guid?, CancellationToken)"/>),
    /// dependents released by these outcomes included: they become visible to every host at the same
    /// instant as the outcomes that released them, so nothing can start before its requirements are committed.
    /// </summary>
    public async Task<(CompletionResult?[] Results, List<ClaimedTask> Claimed)> CompleteAsync(
        string hostId, IReadOnlyList<TaskCompletion> completions, ClaimRequest? claim, CancellationToken cancellationToken)
    {
        claim = claim is { Workers.Count: > 0 } ? claim : null;
        if (_sql.IsPostgres)
        {
            return await CompletionSql.CompleteAsync(_sql, hostId, completions, claim, Now, cancellationToken).ConfigureAwait(false);
        }

        return await SqliteCompletion.CompleteAsync(_sql, time, hostId, completions, claim, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels a run: a queued run ends at once; otherwise waiting tasks are cancelled and the run is
    /// <see cref="RunState.Cancelling"/> until the hosts running its tasks have stopped them. With
    /// <see cref="CancelResult.Cancelled"/> comes the state the run is left in (Cancelling or final).
    /// </summary>
    public async Task<(CancelResult Result, RunStateChange? Run)> CancelAsync(Guid runId, string? requestedBy, RunTrigger via, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await _sql.QueryAsync(connection, transaction,
            """
            UPDATE runs SET state = CASE WHEN state = 'Queued' THEN 'Cancelled' ELSE 'Cancelling' END,
                finished_at = CASE WHEN state = 'Queued' THEN @now ELSE finished_at END
            WHERE id = @run AND state IN ('Queued', 'Resolving', 'Running')
            RETURNING state, pipeline
            """,
            r => new RunStateChange(runId, r.GetString(1), Enum.Parse<RunState>(r.GetString(0))), cancellationToken, ("run", runId), ("now", now))
            .ConfigureAwait(false);
        if (changed.Count == 0)
        {
            var exists = await _sql.QueryAsync(connection, transaction, "SELECT state FROM runs WHERE id = @run",
                r => r.GetString(0), cancellationToken, ("run", runId)).ConfigureAwait(false);
            return (exists.Count == 0 ? CancelResult.NotFound : CancelResult.AlreadyFinished, null);
        }

        await _sql.ExecuteAsync(connection, transaction,
            "INSERT INTO audit_entries (id, run_id, at, actor, action, via, client_address) VALUES (@id, @run, @now, @actor, @action, @via, @address)",
            cancellationToken, ("id", Guid.CreateVersion7(time.GetUtcNow())), ("run", runId), ("now", now), ("actor", Actor(requestedBy)),
            ("action", nameof(AuditAction.Cancelled)), ("via", via.ToString()), ("address", AuditOrigin.ClientAddress)).ConfigureAwait(false);
        var cancelled = await RunEndSql.CancelWaitingTasksIfCancellingAsync(_sql, connection, transaction, runId, Now, cancellationToken).ConfigureAwait(false);
        var finished = await RunEndSql.FinishIfDoneAsync(_sql, connection, transaction, runId, Now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (CancelResult.Cancelled, (finished ?? changed[0]) with { CancelledTasks = cancelled });
    }

    /// <summary>Who the audit trail names: the requester, or "anonymous" when nobody is known.</summary>
    private static string Actor(string? requestedBy) => string.IsNullOrWhiteSpace(requestedBy) ? "anonymous" : requestedBy.Trim();

    /// <summary>Which of <paramref name="runIds"/> are being cancelled (so their running attempts must stop).</summary>
    public async Task<IReadOnlyList<Guid>> CancellingAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return [];
        }

        // Only the runs asked about: cancelled runs pile up in the history, and a heartbeat must not read them all.
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        var cancelling = new List<Guid>();
        foreach (var runId in runIds)
        {
            var state = await _sql.QueryAsync(connection, null, "SELECT state FROM runs WHERE id = @run", r => r.GetString(0), cancellationToken, ("run", runId))
                .ConfigureAwait(false);
            if (state is ["Cancelling" or "Cancelled"])
            {
                cancelling.Add(runId);
            }
        }

        return cancelling;
    }
}
