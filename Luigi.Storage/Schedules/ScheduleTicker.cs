using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Schedules;

/// <summary>
/// Turns the fire times of the store's schedules into runs. Each tick reads the schedules that are not paused, works out
/// what is due since each one's last fire time (<see cref="TickPlan"/>: on time, or missed and caught up by its policy),
/// and in one transaction queues a run per fire time to run and moves the schedule on. Every host may tick: the
/// transaction is guarded by the schedule's version and by a unique key per schedule and fire time, so a fire time makes
/// exactly one run whatever the number of hosts, and a host that dies before its commit leaves the fire time to the next
/// tick. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class ScheduleTicker(
    LuigiStore store, PipelineRegistry pipelines, RunClient runs, ScheduleOptions options, TimeProvider time, ILogger<ScheduleTicker>? logger = null)
{
    private static readonly RunState[] Active = [RunState.Queued, RunState.Resolving, RunState.Running, RunState.Cancelling];

    /// <summary>Ticks every schedule once at the current time; returns the runs queued.</summary>
    public async Task<IReadOnlyList<Guid>> TickAsync(CancellationToken cancellationToken = default)
    {
        List<ScheduleRecord> schedules;
        await using (var context = store.CreateDbContext())
        {
            schedules = await context.Schedules.AsNoTracking().Where(s => !s.Deleted && !s.Paused).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var queued = new List<Guid>();
        foreach (var schedule in schedules)
        {
            queued.AddRange(await TickAsync(schedule, cancellationToken).ConfigureAwait(false));
        }

        return queued;
    }

    /// <summary>When the next schedule fires (UTC), or null when none will; for the ticker's wait.</summary>
    public async Task<DateTimeOffset?> NextFireAtAsync(CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var schedules = await context.Schedules.AsNoTracking().Where(s => !s.Deleted && !s.Paused).ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return schedules.Select(s => CronTimes.Parse(s.Cron, s.TimeZone).Next(now)).Where(t => t is not null).Min();
    }

    private async Task<IReadOnlyList<Guid>> TickAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var times = CronTimes.Parse(schedule.Cron, schedule.TimeZone);
        var after = ScheduleStore.Utc(schedule.LastFireAt ?? schedule.CreatedAt)!.Value;
        var plan = TickPlan.For(times, after, now, schedule.CatchUp, schedule.CatchUpLimit, options.MisfireThreshold);
        if (plan.DealtWith is null)
        {
            return [];
        }

        await using var context = store.CreateDbContext();
        var record = await context.Schedules.SingleOrDefaultAsync(s => s.Name == schedule.Name, cancellationToken).ConfigureAwait(false);
        if (record is null || record.Version != schedule.Version)
        {
            return []; // changed since it was read: the next tick reads it again
        }

        var active = record.SkipWhileActive && plan.Run.Count > 0 && await context.Runs
            .AnyAsync(r => r.ScheduleName == record.Name && Active.Contains(r.State), cancellationToken).ConfigureAwait(false);
        var made = new List<RunRecord>();
        record.LastError = null;
        if (plan.Run.Count == 0)
        {
            record.LastResult = ScheduleTickResult.Missed;
        }
        else if (active)
        {
            record.LastResult = ScheduleTickResult.SkippedWhileActive;
        }
        else
        {
            try
            {
                made.AddRange(plan.Run.Select(fireAt => Queue(context, record, times, fireAt)));
                record.LastResult = ScheduleTickResult.Queued;
                record.LastRunId = made[^1].Id;
            }
            catch (Exception exception) when (exception is ParameterException or UnknownPipelineException or ScheduleException)
            {
                record.LastResult = ScheduleTickResult.Refused;
                record.LastError = exception.Message;
                logger?.LogWarning("Schedule {Schedule} made no run for {FireAt:u}: {Error}", record.Name, plan.DealtWith, exception.Message);
            }
        }

        record.LastFireAt = plan.DealtWith.Value.UtcDateTime;
        record.LastTickAt = now.UtcDateTime;
        record.Version++;
        try
        {
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another host ticked this schedule first (its version moved, or a run for this fire time exists): nothing was written.
            return [];
        }

        foreach (var run in made)
        {
            runs.Queued(run.Id, run.Pipeline);
            logger?.LogInformation("Schedule {Schedule} queued run {Run} for {FireAt:u}", record.Name, run.Id, run.FireAt);
        }

        if (plan.Missed > 0)
        {
            logger?.LogInformation("Schedule {Schedule}: {Missed} missed fire times dropped by its catch-up policy ({Policy})", record.Name, plan.Missed, record.CatchUp);
        }

        return made.Select(r => r.Id).ToList();
    }

    private RunRecord Queue(LuigiDbContext context, ScheduleRecord record, CronTimes times, DateTimeOffset fireAt)
    {
        var definition = new ScheduleDefinition
        {
            Name = record.Name, Pipeline = record.Pipeline, Cron = record.Cron, TimeZone = record.TimeZone, Parameters = record.Parameters,
            FireTimeParameter = record.FireTimeParameter, FireTimeOffset = record.FireTimeOffset,
        };
        var info = pipelines.Find(record.Pipeline) ?? throw new UnknownPipelineException(record.Pipeline, pipelines.All.Select(p => p.Name).ToArray());
        var errors = new List<ScheduleError>();
        var binding = definition.BindingOrNull(info, errors);
        if (errors.Count > 0)
        {
            throw new ScheduleException(errors);
        }

        var parameters = definition.ParametersAt(info, binding, fireAt, times.Zone);
        pipelines.Create(info.Name, parameters).Roots().ToList(); // as a trigger checks them: a run that cannot bind is not queued
        var request = new RunRequest(info.Name, parameters, RunTrigger.Schedule, $"schedule:{record.Name}")
        {
            ScheduleName = record.Name,
            FireAt = fireAt,
        };
        var run = request.ToQueuedRun(time);
        context.Runs.Add(run);
        context.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            RunId = run.Id,
            ScheduleName = record.Name,
            At = run.CreatedAt,
            Actor = $"schedule:{record.Name}",
            Action = AuditAction.Triggered,
            Via = RunTrigger.Schedule,
            Details = $"Fire time {fireAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} of schedule {record.Name} ('{record.Cron}' in {record.TimeZone})",
        });
        return run;
    }
}
