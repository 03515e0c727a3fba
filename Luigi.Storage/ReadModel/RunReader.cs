using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;
using Luigi.Engine.Storage;

namespace Luigi.Engine.ReadModel;

/// <summary>
/// The read side of the store, for the API and the dashboard: lists and details, read with short-lived,
/// untracked contexts, never through the write path.
/// </summary>
public sealed class RunReader(LuigiStore store, RunLimits? limits = null)
{
    private readonly SqlCommands _sql = new(store);

    /// <summary>Runs matching <paramref name="filter"/>, newest first. The text search scans parameters and task ids
    /// without an index: fine for a dashboard's occasional query, not for a hot path.</summary>
    public async Task<RunPage> ListAsync(RunFilter filter, CancellationToken cancellationToken = default)
    {
        var page = Math.Max(1, filter.Page);
        var size = Math.Clamp(filter.PageSize, 1, 500);
        await using var context = store.CreateDbContext();
        var query = context.Runs.AsNoTracking();
        if (!string.IsNullOrEmpty(filter.Pipeline))
        {
            query = query.Where(r => r.Pipeline == filter.Pipeline);
        }

        if (filter.State is { } state)
        {
            query = query.Where(r => r.State == state);
        }

        if (filter.Since is { } since)
        {
            query = query.Where(r => r.CreatedAt >= since);
        }

        if (filter.Until is { } until)
        {
            query = query.Where(r => r.CreatedAt < until);
        }

        if (filter.FinishedSince is { } finishedSince)
        {
            query = query.Where(r => r.FinishedAt >= finishedSince);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var pattern = "%" + EscapeLike(filter.Search.Trim().ToLowerInvariant()) + "%";
            var matching = context.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM runs WHERE lower(parameters) LIKE {pattern} ESCAPE '\'
                UNION SELECT run_id AS "Value" FROM run_tasks WHERE lower(task_id) LIKE {pattern} ESCAPE '\'
                """);
            query = query.Where(r => matching.Contains(r.Id));
        }

        var total = await query.CountAsync(cancellationToken);
        // Past the end (however far: the product of page and size may not fit an int) is an empty page.
        var skip = (long)(page - 1) * size;
        List<Storage.Entities.RunRecord> runs = skip >= total ? [] : await query.OrderByDescending(r => r.CreatedAt).Skip((int)skip).Take(size).ToListAsync(cancellationToken);
        return new RunPage(runs.Select(ToListItem).ToList(), total, page, size);
    }

    /// <summary>One run as lists show it (its row alone, none of its tasks); null when there is none.</summary>
    public async Task<RunListItem?> FindAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var run = await context.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        return run is null ? null : ToListItem(run);
    }

    /// <summary>One run with everything about it but log lines, every task included; null when there is none. For a run of
    /// any size, prefer <see cref="GetAsync(Guid, int, int, bool, CancellationToken)"/>, which reads one page of tasks.</summary>
    public Task<RunDetail?> GetAsync(Guid runId, CancellationToken cancellationToken = default) =>
        GetAsync(runId, 1, int.MaxValue, cancellationToken: cancellationToken);

    /// <summary>
    /// One run with its counts by state (computed in SQL over every task) and one page of its tasks by index, with their
    /// attempts and the edges into them; null when there is none. A run of at most <paramref name="pageSize"/> tasks comes whole;
    /// with <paramref name="wholeOrNone"/>, a bigger one comes without tasks (its counts and <see cref="RunDetail.TaskTotal"/> only).
    /// </summary>
    public async Task<RunDetail?> GetAsync(Guid runId, int page, int pageSize, bool wholeOrNone = false, CancellationToken cancellationToken = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Max(1, pageSize);
        await using var context = store.CreateDbContext();
        var run = await context.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var counts = await CountByStateAsync(context, runId, cancellationToken);
        var total = counts.Values.Sum();
        var skip = (long)(page - 1) * pageSize;
        var whole = page == 1 && total <= pageSize;
        List<TaskView> views = [];
        List<EdgeView> edges = [];
        if (skip < total && (whole || !wholeOrNone))
        {
            var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).OrderBy(t => t.TaskIndex)
                .Skip((int)skip).Take(pageSize).ToListAsync(cancellationToken);
            views = await WithAttemptsAsync(context, runId, tasks, whole, cancellationToken);
            var indexes = tasks.Select(t => t.TaskIndex).ToList();
            var runEdges = context.RunEdges.AsNoTracking().Where(e => e.RunId == runId);
            edges = await (whole ? runEdges : runEdges.Where(e => indexes.Contains(e.DependentIndex)))
                .Select(e => new EdgeView(e.RequirementIndex, e.DependentIndex)).ToListAsync(cancellationToken);
        }

        return new RunDetail(ToListItem(run), run.Parameters, run.Error, counts, views, edges)
        {
            QueuedBecause = await QueuedBecauseAsync(context, run, cancellationToken),
            TaskTotal = total,
            Page = page,
            PageSize = pageSize,
        };
    }

    /// <summary>A run's tasks counted by state and by family in SQL; null when there is no run.</summary>
    public async Task<RunCounts?> GetCountsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        if (!await context.Runs.AsNoTracking().AnyAsync(r => r.Id == runId, cancellationToken))
        {
            return null;
        }

        var byState = await CountByStateAsync(context, runId, cancellationToken);
        var byFamily = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).GroupBy(t => t.Family)
            .Select(g => new { Family = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return new RunCounts(byState, byFamily.OrderByDescending(f => f.Count).ThenBy(f => f.Family, StringComparer.Ordinal)
            .ToDictionary(f => f.Family, f => f.Count, StringComparer.Ordinal));
    }

    /// <summary>
    /// One page of a run's tasks matching <paramref name="query"/> (filtered, ordered and paged in SQL), with their attempts, and
    /// how many match in all; null when there is no run. The page size is bounded by <see cref="TaskQuery.MaxPageSize"/>.
    /// </summary>
    public async Task<TaskPage?> GetTasksAsync(Guid runId, TaskQuery query, CancellationToken cancellationToken = default)
    {
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, TaskQuery.MaxPageSize);
        await using var context = store.CreateDbContext();
        if (!await context.Runs.AsNoTracking().AnyAsync(r => r.Id == runId, cancellationToken))
        {
            return null;
        }

        var matching = TaskQueries.Matching(context.RunTasks.AsNoTracking(), runId, query);
        var total = await matching.CountAsync(cancellationToken);
        var skip = (long)(page - 1) * size;
        var tasks = skip >= total ? []
            : await TaskQueries.Ordered(matching, query).Skip((int)skip).Take(size).ToListAsync(cancellationToken);
        return new TaskPage(await WithAttemptsAsync(context, runId, tasks, false, cancellationToken), total, page, size);
    }

    private static async Task<Dictionary<TaskState, int>> CountByStateAsync(LuigiDbContext context, Guid runId, CancellationToken cancellationToken) =>
        await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).GroupBy(t => t.State)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.State, g => g.Count, cancellationToken);

    /// <summary>The views of <paramref name="tasks"/> with their attempts, read for those tasks alone (or for the whole run when
    /// <paramref name="wholeRun"/> says the tasks are all of it).</summary>
    private static async Task<List<TaskView>> WithAttemptsAsync(
        LuigiDbContext context, Guid runId, List<RunTaskRecord> tasks, bool wholeRun, CancellationToken cancellationToken)
    {
        if (tasks.Count == 0)
        {
            return [];
        }

        var indexes = tasks.Select(t => t.TaskIndex).ToList();
        var query = context.Attempts.AsNoTracking().Where(a => a.RunId == runId);
        var attempts = (await (wholeRun ? query : query.Where(a => indexes.Contains(a.TaskIndex))).ToListAsync(cancellationToken))
            .ToLookup(a => a.TaskIndex);
        return tasks.Select(t => ToView(t, WithRunning(t, attempts[t.TaskIndex].OrderBy(a => a.Number).Select(a => ToView(a, null)), null))).ToList();
    }

    /// <summary>
    /// Each resource of <paramref name="totals"/>: what the running tasks of every host hold of it, and the ready tasks that
    /// need it and wait (at most <paramref name="listed"/> of each, best first).
    /// </summary>
    public async Task<IReadOnlyList<ResourceUse>> GetResourcesAsync(IReadOnlyDictionary<string, int> totals, int listed = 20, CancellationToken cancellationToken = default)
    {
        if (totals.Count == 0)
        {
            return [];
        }

        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.AsNoTracking()
            .Where(t => t.Resources != null && (t.State == TaskState.Running
                || ((t.State == TaskState.Pending || t.State == TaskState.RetryWaiting) && t.RemainingRequirements == 0)))
            .OrderByDescending(t => t.Priority).ThenByDescending(t => t.CriticalPath).ThenBy(t => t.TaskIndex)
            .Select(t => new { t.RunId, t.TaskIndex, t.TaskId, t.State, t.Resources })
            .ToListAsync(cancellationToken);
        var needs = tasks.Select(t => (Task: t, Needs: ResourceClaimSql.Parse(t.Resources!))).ToList();
        return totals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(resource =>
        {
            var holders = needs.Where(n => n.Task.State == TaskState.Running && n.Needs.ContainsKey(resource.Key))
                .Select(n => new ResourceTask(n.Task.RunId, n.Task.TaskIndex, n.Task.TaskId, n.Needs[resource.Key])).ToList();
            var waiting = needs.Where(n => n.Task.State != TaskState.Running && n.Needs.ContainsKey(resource.Key))
                .Select(n => new ResourceTask(n.Task.RunId, n.Task.TaskIndex, n.Task.TaskId, n.Needs[resource.Key])).ToList();
            return new ResourceUse(resource.Key, resource.Value, holders.Sum(h => h.Amount), holders.Take(listed).ToList(), waiting.Take(listed).ToList(), waiting.Count);
        }).ToList();
    }

    /// <summary>Why a queued run is not taken yet: its pipeline has as many active runs as its limit allows; null otherwise.</summary>
    private async Task<string?> QueuedBecauseAsync(LuigiDbContext context, RunRecord run, CancellationToken cancellationToken)
    {
        if (run.State != RunState.Queued || limits?.Of(run.Pipeline) is not { } limit)
        {
            return null;
        }

        var active = await context.Runs.AsNoTracking()
            .Where(r => r.Pipeline == run.Pipeline && (r.State == RunState.Resolving || r.State == RunState.Running || r.State == RunState.Cancelling))
            .OrderBy(r => r.CreatedAt).Select(r => r.Id).ToListAsync(cancellationToken);
        return active.Count < limit ? null
            : $"{run.Pipeline} allows {limit} active run{(limit == 1 ? "" : "s")} at a time: it waits for one of {string.Join(", ", active)} to end.";
    }

    /// <summary>
    /// A run's graph in columns, as the dashboard draws it: its tasks (id, family, parameters, state, attempts, blocker) and
    /// edges, read with plain commands straight into arrays (<see cref="GraphColumnsSql"/>); null when there is no run.
    /// </summary>
    public Task<RunGraphColumns?> GetGraphColumnsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        GraphColumnsSql.ReadAsync(_sql, runId, cancellationToken);

    /// <summary>
    /// A run's graph grouped by family, counted in SQL without reading its tasks or edges; null when there is no run. The tasks of a
    /// group are read a page at a time with <see cref="GetTasksAsync"/> (filtered by family).
    /// </summary>
    public async Task<RunGraphGroups?> GetGraphGroupsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var run = await context.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.State }).SingleOrDefaultAsync(cancellationToken);
        if (run is null)
        {
            return null;
        }

        var cells = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).GroupBy(t => new { t.Family, t.State })
            .Select(g => new { g.Key.Family, g.Key.State, Count = g.Count() }).ToListAsync(cancellationToken);
        var edges = await (
                from e in context.RunEdges.AsNoTracking().Where(e => e.RunId == runId)
                join requirement in context.RunTasks.AsNoTracking() on new { e.RunId, Index = e.RequirementIndex } equals new { requirement.RunId, Index = requirement.TaskIndex }
                join dependent in context.RunTasks.AsNoTracking() on new { e.RunId, Index = e.DependentIndex } equals new { dependent.RunId, Index = dependent.TaskIndex }
                group e by new { From = requirement.Family, To = dependent.Family } into g
                select new { g.Key.From, g.Key.To, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var groups = cells.GroupBy(c => c.Family, StringComparer.Ordinal)
            .Select(g => new GraphGroup(g.Key, g.Sum(c => c.Count), g.ToDictionary(c => c.State, c => c.Count)))
            .OrderByDescending(g => g.Tasks).ThenBy(g => g.Family, StringComparer.Ordinal).ToList();
        return new RunGraphGroups(runId, run.State, groups.Sum(g => g.Tasks), groups,
            edges.OrderByDescending(e => e.Count).ThenBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal)
                .Select(e => new GraphGroupEdge(e.From, e.To, e.Count)).ToList());
    }

    /// <summary>A run's attempts aggregated by host and worker in SQL, by host then worker; empty for an unknown run.</summary>
    public async Task<IReadOnlyList<TimelineLane>> GetTimelineLanesAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var lanes = await context.Attempts.AsNoTracking().Where(a => a.RunId == runId).GroupBy(a => new { a.HostId, a.Worker })
            .Select(g => new
            {
                g.Key.HostId, g.Key.Worker, Attempts = g.Count(), Failed = g.Count(a => a.Outcome == TaskState.Failed),
                FirstStart = g.Min(a => a.StartedAt), LastEnd = g.Max(a => a.FinishedAt),
            })
            .ToListAsync(cancellationToken);
        // The attempts running now have no row yet (AttemptSql): their tasks' rows say where they run.
        var running = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId && t.State == TaskState.Running && t.StartedAt != null)
            .GroupBy(t => new { t.HostId, Worker = t.Worker ?? 0 })
            .Select(g => new { g.Key.HostId, g.Key.Worker, Attempts = g.Count(), FirstStart = g.Min(t => t.StartedAt!.Value) })
            .ToListAsync(cancellationToken);
        return lanes.Select(l => (l.HostId, l.Worker, l.Attempts, l.Failed, l.FirstStart, l.LastEnd))
            .Concat(running.Select(r => (r.HostId, r.Worker, r.Attempts, Failed: 0, r.FirstStart, LastEnd: (DateTime?)null)))
            .GroupBy(l => (l.HostId, l.Worker))
            .Select(g => new TimelineLane(g.Key.HostId, g.Key.Worker, g.Sum(l => l.Attempts), g.Sum(l => l.Failed), g.Min(l => l.FirstStart),
                g.Max(l => l.LastEnd)))
            .OrderBy(l => l.HostId, StringComparer.Ordinal).ThenBy(l => l.Worker).ToList();
    }

    /// <summary>
    /// A run's failed tasks, each with the tasks it blocked (up to <paramref name="listed"/> listed per failure, all
    /// counted), those that blocked the most first; null when there is no run. Counts in SQL and reads only the failed rows and the
    /// listed blocked ones.
    /// </summary>
    public async Task<RootCauses?> GetRootCausesAsync(Guid runId, int listed = 100, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        if (!await context.Runs.AsNoTracking().AnyAsync(r => r.Id == runId, cancellationToken))
        {
            return null;
        }

        var failed = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId && t.State == TaskState.Failed).OrderBy(t => t.TaskIndex)
            .Select(t => new { t.TaskIndex, t.TaskId, t.Family, t.ErrorSummary, t.AttemptCount, t.FinishedAt }).ToListAsync(cancellationToken);
        var blocked = context.RunTasks.AsNoTracking().Where(t => t.RunId == runId && t.State == TaskState.UpstreamFailed);
        // Counted in SQL by blocking task and family; only the first `listed` of each blocking task are read (a window in SQL).
        var counts = await blocked.GroupBy(t => new { t.BlockedBy, t.Family })
            .Select(g => new { g.Key.BlockedBy, g.Key.Family, Count = g.Count() }).ToListAsync(cancellationToken);
        var firstBlocked = listed <= 0 ? [] : await context.RunTasks.FromSql($"""
                SELECT * FROM (
                    SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.blocked_by ORDER BY t.task_index) AS blocked_rank
                    FROM run_tasks t WHERE t.run_id = {runId} AND t.state = {nameof(TaskState.UpstreamFailed)}) AS ranked
                WHERE ranked.blocked_rank <= {listed}
                """).AsNoTracking().OrderBy(t => t.TaskIndex)
            .Select(t => new { t.TaskIndex, t.TaskId, t.Family, t.BlockedBy }).ToListAsync(cancellationToken);
        var countsOf = counts.Where(c => c.BlockedBy is not null).ToLookup(c => c.BlockedBy!, StringComparer.Ordinal);
        var listedOf = firstBlocked.Where(b => b.BlockedBy is not null).ToLookup(b => b.BlockedBy!, StringComparer.Ordinal);
        var causes = failed.Select(f => new RootCause(f.TaskIndex, f.TaskId, f.Family, f.ErrorSummary, f.AttemptCount, f.FinishedAt,
                countsOf[f.TaskId].Sum(c => c.Count),
                listedOf[f.TaskId].Select(b => new BlockedTask(b.TaskIndex, b.TaskId, b.Family)).ToList(),
                countsOf[f.TaskId].OrderByDescending(c => c.Count).ThenBy(c => c.Family, StringComparer.Ordinal)
                    .ToDictionary(c => c.Family, c => c.Count, StringComparer.Ordinal)))
            .OrderByDescending(c => c.BlockedCount).ThenBy(c => c.Index).ToList();
        var failedIds = failed.Select(f => f.TaskId).ToHashSet(StringComparer.Ordinal);
        return new RootCauses(runId, causes, counts.Sum(c => c.Count),
            counts.Where(c => c.BlockedBy is null || !failedIds.Contains(c.BlockedBy)).Sum(c => c.Count));
    }

    /// <summary>One task of a run with its full error and every attempt's log; null when there is none.</summary>
    public async Task<TaskDetail?> GetTaskAsync(Guid runId, int taskIndex, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var task = await context.RunTasks.AsNoTracking().SingleOrDefaultAsync(t => t.RunId == runId && t.TaskIndex == taskIndex, cancellationToken);
        if (task is null)
        {
            return null;
        }

        var lines = (await context.AttemptLogLines.AsNoTracking().Where(l => l.RunId == runId && l.TaskIndex == taskIndex)
            .OrderBy(l => l.Attempt).ThenBy(l => l.Sequence).ToListAsync(cancellationToken)).ToLookup(l => l.Attempt);
        var attempts = WithRunning(task, (await context.Attempts.AsNoTracking().Where(a => a.RunId == runId && a.TaskIndex == taskIndex)
                .OrderBy(a => a.Number).ToListAsync(cancellationToken))
            .Select(a => ToView(a, WithTruncationMarker(a, lines[a.Number].Select(l => new LogLineView(l.At, l.Level, l.Message)).ToList()))), []);
        return new TaskDetail(runId, ToView(task, attempts), task.Error, attempts);
    }

    /// <summary>
    /// The status overview: task counts over the runs in progress and those created since <paramref name="since"/>,
    /// the runs in progress, the <paramref name="failures"/> latest failed tasks, and every host.
    /// </summary>
    public async Task<StatusOverview> GetStatusAsync(DateTime since, int failures = 10, CancellationToken cancellationToken = default)
    {
        RunState[] active = [RunState.Queued, RunState.Resolving, RunState.Running, RunState.Cancelling];
        await using var context = store.CreateDbContext();
        var counts = await context.RunTasks.AsNoTracking()
            .Join(context.Runs.Where(r => active.Contains(r.State) || r.CreatedAt >= since), t => t.RunId, r => r.Id, (t, r) => t.State)
            .GroupBy(state => state).Select(g => new { State = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.State, g => g.Count, cancellationToken);
        var running = await context.Runs.AsNoTracking().Where(r => active.Contains(r.State)).OrderByDescending(r => r.CreatedAt).Take(100)
            .ToListAsync(cancellationToken);
        var failed = await context.RunTasks.AsNoTracking().Where(t => t.State == TaskState.Failed)
            .Join(context.Runs, t => t.RunId, r => r.Id, (t, r) => new { t.RunId, r.Pipeline, t.TaskIndex, t.TaskId, t.ErrorSummary, t.FinishedAt })
            .OrderByDescending(f => f.FinishedAt).Take(failures).ToListAsync(cancellationToken);
        var hosts = await context.Hosts.AsNoTracking().OrderByDescending(h => h.HeartbeatAt).Take(200)
            .Select(h => new HostView(h.Id, h.Name, h.Workers, h.StartedAt, h.HeartbeatAt, h.StoppedAt)).ToListAsync(cancellationToken);
        return new StatusOverview(
            counts, running.Select(ToListItem).ToList(),
            failed.Select(f => new RecentFailure(f.RunId, f.Pipeline, f.TaskIndex, f.TaskId, f.ErrorSummary, f.FinishedAt)).ToList(), hosts);
    }

    /// <summary>
    /// Every pipeline that has runs, by name, with its last <paramref name="perPipeline"/> runs (oldest first) and how
    /// many of its runs are in progress: the overview's strip of marks and durations.
    /// </summary>
    public async Task<IReadOnlyList<PipelineStrip>> GetPipelineStripsAsync(int perPipeline = 20, CancellationToken cancellationToken = default)
    {
        RunState[] active = [RunState.Queued, RunState.Resolving, RunState.Running, RunState.Cancelling];
        await using var context = store.CreateDbContext();
        var running = await context.Runs.AsNoTracking().Where(r => active.Contains(r.State)).GroupBy(r => r.Pipeline)
            .Select(g => new { Pipeline = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Pipeline, g => g.Count, cancellationToken);
        var strips = new List<PipelineStrip>();
        // One query per pipeline (a few dozen at most), each reading its newest runs by the (pipeline, created) order.
        foreach (var pipeline in (await context.Runs.AsNoTracking().Select(r => r.Pipeline).Distinct().ToListAsync(cancellationToken)).Order(StringComparer.Ordinal))
        {
            var marks = await context.Runs.AsNoTracking().Where(r => r.Pipeline == pipeline).OrderByDescending(r => r.CreatedAt).Take(perPipeline)
                .Select(r => new RunMark(r.Id, r.State, r.CreatedAt, r.StartedAt, r.FinishedAt)).ToListAsync(cancellationToken);
            marks.Reverse();
            strips.Add(new PipelineStrip(pipeline, marks, running.GetValueOrDefault(pipeline)));
        }

        return strips;
    }

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>Who asked for the run, re-ran it or cancelled it, oldest first; empty for an unknown run.</summary>
    public async Task<IReadOnlyList<AuditView>> GetAuditAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var entries = await context.AuditEntries.AsNoTracking().Where(e => e.RunId == runId).ToListAsync(cancellationToken);
        return entries.OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new AuditView(e.At, e.Actor, e.Action, e.Via, e.Details, e.ClientAddress)).ToList();
    }

    /// <summary>Ends a capped log with a visible line saying how much was dropped.</summary>
    private static List<LogLineView> WithTruncationMarker(AttemptEntity attempt, List<LogLineView> log)
    {
        if (attempt.TruncatedLogLines > 0)
        {
            log.Add(new LogLineView(log.Count > 0 ? log[^1].At : attempt.StartedAt, Microsoft.Extensions.Logging.LogLevel.Warning,
                $"[truncated: {attempt.TruncatedLogLines} more lines were not kept; see Luigi:Engine:MaxLogLinesPerAttempt]"));
        }

        return log;
    }

    private static RunListItem ToListItem(RunRecord r) => new(
        r.Id, r.Pipeline, r.State, r.Trigger, r.RequestedBy, r.CreatedAt, r.StartedAt, r.FinishedAt, r.TaskCount, r.UnfinishedCount,
        r.ParentRunId, r.RerunScope, r.RerunTaskId);

    private static TaskView ToView(RunTaskRecord t, IReadOnlyList<AttemptView> attempts) => new(
        t.TaskIndex, t.TaskId, t.Family, t.Parameters, t.IsRoot, t.State, t.AttemptCount, t.StartedAt, t.FinishedAt, t.HostId, t.Worker,
        t.ErrorSummary, t.BlockedBy, attempts)
    {
        NextAttemptAt = t.State == TaskState.RetryWaiting ? t.NotBefore : null,
    };

    private static AttemptView ToView(AttemptEntity a, IReadOnlyList<LogLineView>? log) => new(
        a.Number, a.StartedAt, a.FinishedAt, a.Outcome, a.HostId, a.Worker, a.Error, a.TruncatedLogLines, log);

    /// <summary>The ended attempts of a task, and the one it runs now: an attempt's row is written when it ends (AttemptSql), so
    /// a running attempt is read from its task's row (its number, start, host and worker), with <paramref name="log"/> (its lines
    /// come with its end).</summary>
    private static List<AttemptView> WithRunning(RunTaskRecord t, IEnumerable<AttemptView> ended, IReadOnlyList<LogLineView>? log)
    {
        var attempts = ended.ToList();
        if (t.State == TaskState.Running && t.StartedAt is { } started && !attempts.Exists(a => a.Number == t.AttemptCount))
        {
            attempts.Add(new AttemptView(t.AttemptCount, started, null, TaskState.Running, t.HostId, t.Worker ?? 0, null, 0, log));
        }

        return attempts;
    }
}
