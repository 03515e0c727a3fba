using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Schedules;

/// <summary>A backfill to start: <paramref name="Pipeline"/> once per date from <paramref name="From"/> to <paramref name="To"/>
/// (inclusive), the date bound to <paramref name="DateParameter"/> (the pipeline's one date parameter when null), at most
/// <paramref name="MaxConcurrentRuns"/> runs at once.</summary>
public sealed record BackfillRequest(
    string Pipeline, DateOnly From, DateOnly To, IReadOnlyDictionary<string, string>? Parameters = null, string? DateParameter = null,
    int MaxConcurrentRuns = 3);

/// <summary>A backfill with its progress.</summary>
public sealed record BackfillView(
    Guid Id, string Pipeline, string DateParameter, DateOnly From, DateOnly To, IReadOnlyDictionary<string, string> Parameters, int MaxConcurrentRuns,
    string? RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, BackfillProgress Progress);

/// <summary>How far a backfill has got, in dates: waiting for a slot, skipped as complete, running, and ended by outcome.</summary>
public sealed record BackfillProgress(int Dates, int Waiting, int Complete, int Running, int Succeeded, int Failed, int Cancelled)
{
    /// <summary>Dates no longer waiting or running.</summary>
    public int Finished => Complete + Succeeded + Failed + Cancelled;
}

/// <summary>One date of a backfill, with its run when it has one.</summary>
public sealed record BackfillDateView(DateOnly Date, BackfillDateState State, Guid? RunId, RunState? RunState);

/// <summary>A backfill with each of its dates.</summary>
public sealed record BackfillDetail(BackfillView Backfill, IReadOnlyList<BackfillDateView> Dates);

/// <summary>
/// Backfills (Luigi's <c>RangeDaily</c>): a pipeline run once per date of a range. Starting one checks everything and
/// writes the backfill with its dates; <see cref="DriveAsync(CancellationToken)"/> (the ticker, on every host) then gives dates runs, oldest
/// first, keeping at most the backfill's limit running. A date whose work is all complete already (checked as a run
/// would, nothing run) is skipped without a run. A date gets its run in the transaction that moves it from waiting to
/// queued, guarded by its state, so two hosts never give one date two runs.
/// </summary>
public sealed class Backfills(LuigiStore store, PipelineRegistry pipelines, RunClient runs, TimeProvider time, ILogger<Backfills>? logger = null)
{
    /// <summary>Most dates in one backfill (ten years of days).</summary>
    public const int MaxDates = 3660;

    /// <summary>Most runs of one backfill at once.</summary>
    public const int MaxConcurrentRunsLimit = 100;

    private static readonly RunState[] Active = [RunState.Queued, RunState.Resolving, RunState.Running, RunState.Cancelling];

    /// <summary>How many completeness checks run at once while deciding whether a date is complete.</summary>
    public int CompletenessCheckConcurrency { get; init; } = new LuigiEngineOptions().CompletenessCheckConcurrency;

    /// <summary>Starts a backfill; its runs follow within a tick.</summary>
    /// <exception cref="ScheduleException">The pipeline, the range, the date parameter, the limit or a parameter is wrong (each named); nothing is written.</exception>
    public async Task<BackfillView> StartAsync(BackfillRequest request, string? actor, RunTrigger via, CancellationToken cancellationToken = default)
    {
        var (info, dateParameter) = Validate(request);
        var now = time.GetUtcNow();
        var backfill = new BackfillRecord
        {
            Id = Guid.CreateVersion7(now),
            Pipeline = info.Name,
            DateParameter = dateParameter,
            From = request.From,
            To = request.To,
            Parameters = new Dictionary<string, string>(request.Parameters ?? new Dictionary<string, string>()),
            MaxConcurrentRuns = request.MaxConcurrentRuns,
            RequestedBy = actor,
            CreatedAt = now.UtcDateTime,
        };
        await using var context = store.CreateDbContext();
        context.Backfills.Add(backfill);
        for (var date = request.From; date <= request.To; date = date.AddDays(1))
        {
            context.BackfillDates.Add(new BackfillDateRecord { BackfillId = backfill.Id, Date = date, State = BackfillDateState.Waiting });
        }

        context.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(now),
            BackfillId = backfill.Id,
            At = now.UtcDateTime,
            Actor = string.IsNullOrWhiteSpace(actor) ? "anonymous" : actor.Trim(),
            Action = AuditAction.BackfillStarted,
            Via = via,
            ClientAddress = AuditOrigin.ClientAddress,
            Details = $"Backfill of {info.Name} from {request.From:yyyy-MM-dd} to {request.To:yyyy-MM-dd} ({dateParameter}), at most {request.MaxConcurrentRuns} at once",
        });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (await ViewsAsync(context, [backfill], cancellationToken).ConfigureAwait(false))[0];
    }

    private (PipelineInfo Info, string DateParameter) Validate(BackfillRequest request)
    {
        var errors = new List<ScheduleError>();
        var info = pipelines.Find(request.Pipeline ?? "")
            ?? throw new ScheduleException("pipeline", new UnknownPipelineException(request.Pipeline ?? "", pipelines.All.Select(p => p.Name).ToArray()).Message);
        if (request.To < request.From)
        {
            errors.Add(new ScheduleError("to", $"'to' ({request.To:yyyy-MM-dd}) is before 'from' ({request.From:yyyy-MM-dd})."));
        }
        else if (request.To.DayNumber - request.From.DayNumber + 1 > MaxDates)
        {
            errors.Add(new ScheduleError("to", $"A backfill covers at most {MaxDates} dates; {request.From:yyyy-MM-dd} to {request.To:yyyy-MM-dd} is {request.To.DayNumber - request.From.DayNumber + 1}."));
        }

        if (request.MaxConcurrentRuns is < 1 or > MaxConcurrentRunsLimit)
        {
            errors.Add(new ScheduleError("maxConcurrentRuns", $"maxConcurrentRuns is from 1 to {MaxConcurrentRunsLimit}; got {request.MaxConcurrentRuns}."));
        }

        var dates = info.Parameters.Where(p => (Nullable.GetUnderlyingType(p.Type) ?? p.Type) == typeof(DateOnly)).ToList();
        var dateParameter = request.DateParameter is { Length: > 0 } named
            ? dates.FirstOrDefault(p => string.Equals(p.Name, named, StringComparison.OrdinalIgnoreCase))
            : dates.Count == 1 ? dates[0] : null;
        if (dateParameter is null)
        {
            errors.Add(new ScheduleError("dateParameter", request.DateParameter is { Length: > 0 }
                ? $"{info.Name} has no date parameter '{CronTimes.Shorten(request.DateParameter)}'. Its date parameters: {(dates.Count == 0 ? "(none)" : string.Join(", ", dates.Select(d => d.Name)))}."
                : dates.Count == 0
                    ? $"{info.Name} has no date parameter to backfill over."
                    : $"{info.Name} has several date parameters ({string.Join(", ", dates.Select(d => d.Name))}): name the one to backfill over."));
        }
        else if ((request.Parameters ?? new Dictionary<string, string>()).Keys.Any(k => string.Equals(k, dateParameter.Name, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add(new ScheduleError($"parameters.{dateParameter.Name}", $"'{dateParameter.Name}' takes each date of the backfill; leave it out of the parameters."));
        }

        if (errors.Count == 0)
        {
            foreach (var date in new[] { request.From, request.To }.Distinct())
            {
                try
                {
                    pipelines.Create(info.Name, ParametersFor(request.Parameters, dateParameter!.Name, date)).Roots().ToList();
                }
                catch (ParameterException exception)
                {
                    errors.AddRange(exception.Errors.Select(e => new ScheduleError(
                        e.Parameter == dateParameter!.Name ? (date == request.From ? "from" : "to") : $"parameters.{e.Parameter}", e.Message)));
                }
            }
        }

        return errors.Count > 0 ? throw new ScheduleException(errors.DistinctBy(e => (e.Field, e.Message)).ToList()) : (info, dateParameter!.Name);
    }

    private static Dictionary<string, string> ParametersFor(IReadOnlyDictionary<string, string>? parameters, string dateParameter, DateOnly date) =>
        new(parameters ?? new Dictionary<string, string>()) { [dateParameter] = ParameterValues.Format(date) };

    /// <summary>
    /// Moves every unfinished backfill on: dates get runs, oldest first, while fewer than its limit run; dates already
    /// complete are skipped; a backfill with nothing left waiting or running is finished. Returns the runs queued.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> DriveAsync(CancellationToken cancellationToken = default)
    {
        List<BackfillRecord> open;
        await using (var context = store.CreateDbContext())
        {
            open = await context.Backfills.AsNoTracking().Where(b => b.FinishedAt == null).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var queued = new List<Guid>();
        foreach (var backfill in open.OrderBy(b => b.CreatedAt))
        {
            queued.AddRange(await DriveAsync(backfill, cancellationToken).ConfigureAwait(false));
        }

        return queued;
    }

    /// <summary>Moves one backfill on (the command line's <c>backfill</c>, which works on its own); returns the runs queued.</summary>
    public async Task<IReadOnlyList<Guid>> DriveAsync(Guid backfillId, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var backfill = await context.Backfills.AsNoTracking().SingleOrDefaultAsync(b => b.Id == backfillId && b.FinishedAt == null, cancellationToken)
            .ConfigureAwait(false);
        return backfill is null ? [] : await DriveAsync(backfill, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Guid>> DriveAsync(BackfillRecord backfill, CancellationToken cancellationToken)
    {
        var queued = new List<Guid>();
        while (true)
        {
            int running;
            BackfillDateRecord? next;
            await using (var context = store.CreateDbContext())
            {
                running = await context.Runs.CountAsync(r => r.BackfillId == backfill.Id && Active.Contains(r.State), cancellationToken).ConfigureAwait(false);
                next = await context.BackfillDates.AsNoTracking().Where(d => d.BackfillId == backfill.Id && d.State == BackfillDateState.Waiting)
                    .OrderBy(d => d.Date).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    if (running == 0)
                    {
                        await context.Backfills.Where(b => b.Id == backfill.Id && b.FinishedAt == null)
                            .ExecuteUpdateAsync(s => s.SetProperty(b => b.FinishedAt, time.GetUtcNow().UtcDateTime), cancellationToken).ConfigureAwait(false);
                    }

                    return queued;
                }
            }

            if (running >= backfill.MaxConcurrentRuns)
            {
                return queued;
            }

            var parameters = ParametersFor(backfill.Parameters, backfill.DateParameter, next.Date);
            if (await IsCompleteAsync(backfill.Pipeline, parameters, cancellationToken).ConfigureAwait(false))
            {
                await using var context = store.CreateDbContext();
                await context.BackfillDates.Where(d => d.BackfillId == backfill.Id && d.Date == next.Date && d.State == BackfillDateState.Waiting)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, BackfillDateState.Complete), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await QueueAsync(backfill, next.Date, parameters, cancellationToken).ConfigureAwait(false) is { } runId)
            {
                queued.Add(runId);
            }
        }
    }

    /// <summary>True when everything a run would run is complete already (every task reached is found complete).</summary>
    private async Task<bool> IsCompleteAsync(string pipeline, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        try
        {
            var roots = pipelines.Create(pipeline, parameters).Roots().ToList();
            var graph = await GraphBuilder.BuildAsync(roots, CompletenessCheckConcurrency, cancellationToken).ConfigureAwait(false);
            return graph.Nodes.All(n => n.State == TaskState.Complete);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false; // the run will say what is wrong, where people look
        }
    }

    private async Task<Guid?> QueueAsync(BackfillRecord backfill, DateOnly date, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var request = new RunRequest(backfill.Pipeline, parameters, RunTrigger.Backfill, backfill.RequestedBy) { BackfillId = backfill.Id };
        var run = request.ToQueuedRun(time);
        await using var context = store.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var taken = await context.BackfillDates.Where(d => d.BackfillId == backfill.Id && d.Date == date && d.State == BackfillDateState.Waiting)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, BackfillDateState.Queued).SetProperty(d => d.RunId, run.Id), cancellationToken)
            .ConfigureAwait(false);
        if (taken == 0)
        {
            return null; // another host gave it a run
        }

        context.Runs.Add(run);
        context.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            RunId = run.Id,
            BackfillId = backfill.Id,
            At = run.CreatedAt,
            Actor = string.IsNullOrWhiteSpace(backfill.RequestedBy) ? "anonymous" : backfill.RequestedBy,
            Action = AuditAction.Triggered,
            Via = RunTrigger.Backfill,
            Details = $"Date {date:yyyy-MM-dd} of backfill {backfill.Id}",
        });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        runs.Queued(run.Id, run.Pipeline);
        logger?.LogInformation("Backfill {Backfill}: run {Run} for {Date:yyyy-MM-dd}", backfill.Id, run.Id, date);
        return run.Id;
    }

    /// <summary>Backfills, newest first (of <paramref name="pipeline"/> only, when given), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<BackfillView>> ListAsync(string? pipeline = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var query = context.Backfills.AsNoTracking();
        if (pipeline is not null)
        {
            query = query.Where(b => b.Pipeline == pipeline);
        }

        var backfills = await query.OrderByDescending(b => b.CreatedAt).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return await ViewsAsync(context, backfills, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One backfill with each date and its run, or null.</summary>
    public async Task<BackfillDetail?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var backfill = await context.Backfills.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken).ConfigureAwait(false);
        if (backfill is null)
        {
            return null;
        }

        var view = (await ViewsAsync(context, [backfill], cancellationToken).ConfigureAwait(false))[0];
        var dates = await context.BackfillDates.AsNoTracking().Where(d => d.BackfillId == id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var states = await RunStatesAsync(context, [id], cancellationToken).ConfigureAwait(false);
        return new BackfillDetail(view, dates.OrderBy(d => d.Date)
            .Select(d => new BackfillDateView(d.Date, d.State, d.RunId, d.RunId is { } run && states.TryGetValue(run, out var state) ? state : null)).ToList());
    }

    private static async Task<Dictionary<Guid, RunState>> RunStatesAsync(LuigiDbContext context, List<Guid> backfills, CancellationToken cancellationToken) =>
        await context.Runs.AsNoTracking().Where(r => r.BackfillId != null && backfills.Contains(r.BackfillId.Value))
            .Select(r => new { r.Id, r.State }).ToDictionaryAsync(r => r.Id, r => r.State, cancellationToken).ConfigureAwait(false);

    private static async Task<List<BackfillView>> ViewsAsync(LuigiDbContext context, List<BackfillRecord> backfills, CancellationToken cancellationToken)
    {
        var ids = backfills.Select(b => b.Id).ToList();
        var dates = await context.BackfillDates.AsNoTracking().Where(d => ids.Contains(d.BackfillId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var states = await RunStatesAsync(context, ids, cancellationToken).ConfigureAwait(false);
        return backfills.Select(b =>
        {
            var own = dates.Where(d => d.BackfillId == b.Id).ToList();
            RunState? StateOf(BackfillDateRecord d) => d.RunId is { } run && states.TryGetValue(run, out var state) ? state : null;
            var progress = new BackfillProgress(
                own.Count,
                own.Count(d => d.State == BackfillDateState.Waiting),
                own.Count(d => d.State == BackfillDateState.Complete),
                own.Count(d => StateOf(d) is RunState.Queued or RunState.Resolving or RunState.Running or RunState.Cancelling),
                own.Count(d => StateOf(d) == RunState.Succeeded),
                own.Count(d => StateOf(d) == RunState.Failed),
                own.Count(d => StateOf(d) == RunState.Cancelled));
            return new BackfillView(b.Id, b.Pipeline, b.DateParameter, b.From, b.To, b.Parameters, b.MaxConcurrentRuns, b.RequestedBy,
                ScheduleStore.Utc(b.CreatedAt)!.Value, ScheduleStore.Utc(b.FinishedAt), progress);
        }).ToList();
    }
}
