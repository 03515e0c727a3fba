using System.Text.Json;
using Luigi.Engine.Execution;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.ReadModel;

namespace Luigi.Engine.Schedules;

/// <summary>
/// Schedules in the store: made, changed, paused, resumed and deleted by Operators (each with its audit entry, in the same
/// transaction), declared in code (<see cref="DeclareAsync(IEnumerable{ScheduleDefinition}, CancellationToken)"/>), and read with their next fire times and latest result.
/// Every change is checked first (<see cref="ScheduleDefinition.Validate"/>): nothing is written when it is refused.
/// </summary>
public sealed class ScheduleStore(LuigiStore store, PipelineRegistry pipelines, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Every schedule (of <paramref name="pipeline"/> only, when given), by name.</summary>
    public async Task<IReadOnlyList<ScheduleView>> ListAsync(string? pipeline = null, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var query = context.Schedules.AsNoTracking().Where(s => !s.Deleted);
        if (pipeline is not null)
        {
            query = query.Where(s => s.Pipeline == pipeline);
        }

        var records = (await query.ToListAsync(cancellationToken)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        return await ViewsAsync(context, records, cancellationToken);
    }

    /// <summary>One schedule with its next <paramref name="fireTimes"/> fire times, or null.</summary>
    public async Task<ScheduleDetail?> GetAsync(string name, int fireTimes = 5, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var record = await context.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name && !s.Deleted, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var view = (await ViewsAsync(context, [record], cancellationToken))[0];
        var next = record.Paused ? [] : CronTimes.Parse(record.Cron, record.TimeZone).Next(time.GetUtcNow(), fireTimes);
        return new ScheduleDetail(view, next);
    }

    /// <summary>Who made, changed, paused, resumed or deleted the schedule, and the runs its ticks queued, oldest first.</summary>
    public async Task<IReadOnlyList<AuditView>> AuditAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var entries = await context.AuditEntries.AsNoTracking().Where(e => e.ScheduleName == name).ToListAsync(cancellationToken);
        return entries.OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new AuditView(e.At, e.Actor, e.Action, e.Via, e.Details, e.ClientAddress)).ToList();
    }

    /// <summary>Makes a schedule.</summary>
    /// <exception cref="ScheduleException">A field is wrong; nothing is written.</exception>
    /// <exception cref="ScheduleConflictException">A schedule has that name already.</exception>
    public async Task<ScheduleView> CreateAsync(ScheduleDefinition definition, string? actor, RunTrigger via, CancellationToken cancellationToken = default)
    {
        var pipeline = definition.Validate(pipelines, time.GetUtcNow());
        await using var context = store.CreateDbContext();
        var record = await context.Schedules.SingleOrDefaultAsync(s => s.Name == definition.Name, cancellationToken);
        if (record is { Deleted: false })
        {
            throw new ScheduleConflictException(definition.Name);
        }

        if (record is null)
        {
            record = new ScheduleRecord { Name = definition.Name, Pipeline = pipeline, Cron = "", TimeZone = "", CreatedAt = Now };
            context.Schedules.Add(record);
        }
        else
        {
            record.Deleted = false;
            record.DeclaredInCode = false;
            record.CreatedAt = Now;
            record.LastRunId = null;
            record.LastResult = null;
            record.LastError = null;
            record.LastTickAt = null;
        }

        Apply(record, definition with { Pipeline = pipeline }, actor);
        record.LastFireAt = Now; // fire times before it was made are not missed ones
        Audit(context, record.Name, actor, AuditAction.ScheduleCreated, via, Describe(record));
        await SaveAsync(context, record.Name, cancellationToken);
        return (await ViewsAsync(context, [record], cancellationToken))[0];
    }

    /// <summary>Changes a schedule's definition (its name and its pause stay); null when there is none. Fire times from now on follow the new one.</summary>
    /// <exception cref="ScheduleException">A field is wrong; nothing is written.</exception>
    public async Task<ScheduleView?> UpdateAsync(string name, ScheduleDefinition definition, string? actor, RunTrigger via, CancellationToken cancellationToken = default)
    {
        definition = definition with { Name = name };
        var pipeline = definition.Validate(pipelines, time.GetUtcNow());
        await using var context = store.CreateDbContext();
        var record = await context.Schedules.SingleOrDefaultAsync(s => s.Name == name && !s.Deleted, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var before = Describe(record);
        Apply(record, definition with { Pipeline = pipeline, Paused = record.Paused }, actor); // pause and resume have their own commands
        record.LastFireAt = Max(record.LastFireAt, Now);
        Audit(context, name, actor, AuditAction.ScheduleUpdated, via, $"{before} → {Describe(record)}");
        await SaveAsync(context, name, cancellationToken);
        return (await ViewsAsync(context, [record], cancellationToken))[0];
    }

    /// <summary>Pauses or resumes a schedule; null when there is none. Fire times while paused are not caught up on resume.</summary>
    public async Task<ScheduleView?> SetPausedAsync(string name, bool paused, string? actor, RunTrigger via, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var record = await context.Schedules.SingleOrDefaultAsync(s => s.Name == name && !s.Deleted, cancellationToken);
        if (record is null)
        {
            return null;
        }

        if (record.Paused != paused)
        {
            record.Paused = paused;
            record.LastFireAt = Max(record.LastFireAt, Now);
            Touch(record, actor);
            Audit(context, name, actor, paused ? AuditAction.SchedulePaused : AuditAction.ScheduleResumed, via, null);
            await SaveAsync(context, name, cancellationToken);
        }

        return (await ViewsAsync(context, [record], cancellationToken))[0];
    }

    /// <summary>Deletes a schedule; false when there is none. Its runs stay.</summary>
    public async Task<bool> DeleteAsync(string name, string? actor, RunTrigger via, CancellationToken cancellationToken = default)
    {
        await using var context = store.CreateDbContext();
        var record = await context.Schedules.SingleOrDefaultAsync(s => s.Name == name && !s.Deleted, cancellationToken);
        if (record is null)
        {
            return false;
        }

        record.Deleted = true;
        Touch(record, actor);
        Audit(context, name, actor, AuditAction.ScheduleDeleted, via, Describe(record));
        await SaveAsync(context, name, cancellationToken);
        return true;
    }

    /// <summary>
    /// Applies the schedules declared in code (<see cref="ScheduleAttribute"/>): one the store lacks is made; one whose
    /// declaration changed since it was last applied takes the new declaration (its pause stays); otherwise the store's
    /// version stands, with Operators' edits, pauses and deletions. A declaration that is wrong is reported, not applied.
    /// </summary>
    /// <returns>The declarations that were refused, with why.</returns>
    public async Task<IReadOnlyList<(string Name, ScheduleException Error)>> DeclareAsync(
        IEnumerable<ScheduleDefinition> declarations, CancellationToken cancellationToken = default)
    {
        var refused = new List<(string, ScheduleException)>();
        foreach (var declaration in declarations)
        {
            try
            {
                await DeclareAsync(declaration, cancellationToken);
            }
            catch (ScheduleException exception)
            {
                refused.Add((declaration.Name, exception));
            }
        }

        return refused;
    }

    /// <summary>The schedules declared on the pipelines of <paramref name="registry"/>.</summary>
    public static IEnumerable<ScheduleDefinition> DeclaredIn(PipelineRegistry registry) =>
        registry.All.SelectMany(p => p.Type.GetCustomAttributes(typeof(ScheduleAttribute), false).Cast<ScheduleAttribute>()
            .Select(a => a.ToDefinition(p.Name)));

    private async Task DeclareAsync(ScheduleDefinition declaration, CancellationToken cancellationToken)
    {
        var pipeline = declaration.Validate(pipelines, time.GetUtcNow());
        var text = JsonSerializer.Serialize(declaration with { Pipeline = pipeline, Parameters = new SortedDictionary<string, string>(declaration.Parameters.ToDictionary()) });
        await using var context = store.CreateDbContext();
        var record = await context.Schedules.SingleOrDefaultAsync(s => s.Name == declaration.Name, cancellationToken);
        if (record?.CodeDeclaration == text)
        {
            return;
        }

        if (record is null)
        {
            record = new ScheduleRecord { Name = declaration.Name, Pipeline = pipeline, Cron = "", TimeZone = "", CreatedAt = Now, LastFireAt = Now };
            context.Schedules.Add(record);
            Audit(context, record.Name, "code", AuditAction.ScheduleCreated, RunTrigger.Schedule, "Declared in code");
        }
        else
        {
            Audit(context, record.Name, "code", AuditAction.ScheduleUpdated, RunTrigger.Schedule, $"Declaration in code changed: {Describe(record)}");
            record.Deleted = false;
            record.LastFireAt = Max(record.LastFireAt, Now);
        }

        Apply(record, declaration with { Pipeline = pipeline, Paused = record.Paused }, "code");
        record.DeclaredInCode = true;
        record.CodeDeclaration = text;
        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another host applied the same declaration at the same moment.
        }
    }

    private void Apply(ScheduleRecord record, ScheduleDefinition definition, string? actor)
    {
        record.Pipeline = definition.Pipeline;
        record.Cron = definition.Cron.Trim();
        record.TimeZone = definition.TimeZone.Trim();
        record.Parameters = new Dictionary<string, string>(definition.Parameters);
        record.FireTimeParameter = string.IsNullOrWhiteSpace(definition.FireTimeParameter) ? null : definition.FireTimeParameter.Trim();
        record.FireTimeOffset = record.FireTimeParameter is null ? null : FireTimeBinding.Parse(record.FireTimeParameter, definition.FireTimeOffset).Offset;
        record.CatchUp = definition.CatchUp;
        record.CatchUpLimit = definition.CatchUpLimit;
        record.SkipWhileActive = definition.SkipWhileActive;
        record.Paused = definition.Paused;
        Touch(record, actor);
    }

    private void Touch(ScheduleRecord record, string? actor)
    {
        record.UpdatedAt = Now;
        record.UpdatedBy = actor;
        record.Version++;
    }

    private void Audit(LuigiDbContext context, string name, string? actor, AuditAction action, RunTrigger via, string? details) =>
        context.AuditEntries.Add(new AuditEntry
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            ScheduleName = name,
            At = Now,
            Actor = string.IsNullOrWhiteSpace(actor) ? "anonymous" : actor.Trim(),
            Action = action,
            Via = via,
            ClientAddress = AuditOrigin.ClientAddress,
            Details = details is { Length: > 4000 } ? details[..4000] : details,
        });

    private static async Task SaveAsync(LuigiDbContext context, string name, CancellationToken cancellationToken)
    {
        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ScheduleConflictException(name, "it was changed at the same time by someone else; read it again and retry");
        }
        catch (DbUpdateException)
        {
            throw new ScheduleConflictException(name);
        }
    }

    private static string Describe(ScheduleRecord record) =>
        $"{record.Pipeline} at '{record.Cron}' in {record.TimeZone}"
        + (record.Parameters.Count == 0 ? "" : $" with {string.Join(", ", record.Parameters.Select(p => $"{p.Key}={p.Value}"))}")
        + (record.FireTimeParameter is null ? "" : $", {record.FireTimeParameter} = fire time {record.FireTimeOffset}")
        + $", catch-up {record.CatchUp}" + (record.CatchUp == CatchUpPolicy.All ? $" (at most {record.CatchUpLimit})" : "");

    private static DateTime Max(DateTime? a, DateTime b) => a is { } value && value > b ? value : b;

    private async Task<List<ScheduleView>> ViewsAsync(LuigiDbContext context, IReadOnlyList<ScheduleRecord> records, CancellationToken cancellationToken)
    {
        var runIds = records.Where(r => r.LastRunId is not null).Select(r => r.LastRunId!.Value).ToList();
        var runs = await context.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        var succeeded = runs.Values.Where(r => r.State == RunState.Succeeded).Select(r => r.Id).ToList();
        var ranSomething = (await context.RunTasks.AsNoTracking()
            .Where(t => succeeded.Contains(t.RunId) && t.State != TaskState.Complete).Select(t => t.RunId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        var now = time.GetUtcNow();
        return records.Select(r =>
        {
            var run = r.LastRunId is { } id ? runs.GetValueOrDefault(id) : null;
            var outcome = r.LastResult switch
            {
                null => ScheduleOutcome.NotYetFired,
                ScheduleTickResult.SkippedWhileActive => ScheduleOutcome.SkippedWhileActive,
                ScheduleTickResult.Missed => ScheduleOutcome.Missed,
                ScheduleTickResult.Refused => ScheduleOutcome.Refused,
                _ => run?.State switch
                {
                    RunState.Succeeded => ranSomething.Contains(run.Id) ? ScheduleOutcome.Succeeded : ScheduleOutcome.NothingToDo,
                    RunState.Failed => ScheduleOutcome.Failed,
                    RunState.Cancelled => ScheduleOutcome.Cancelled,
                    _ => ScheduleOutcome.Running,
                },
            };
            var next = r.Paused ? null : CronTimes.Parse(r.Cron, r.TimeZone).Next(Later(now, r.LastFireAt));
            return new ScheduleView(
                r.Name, r.Pipeline, r.Cron, r.TimeZone, r.Parameters, r.FireTimeParameter, r.FireTimeOffset, r.CatchUp, r.CatchUpLimit,
                r.SkipWhileActive, r.Paused, r.DeclaredInCode, next?.ToUniversalTime(),
                run is null ? null : new ScheduleRunView(run.Id, run.State, Utc(run.FireAt), Utc(run.CreatedAt)!.Value, Utc(run.FinishedAt)),
                outcome, r.LastError, Utc(r.LastTickAt), Utc(r.UpdatedAt)!.Value, r.UpdatedBy);
        }).ToList();
    }

    private static DateTimeOffset Later(DateTimeOffset now, DateTime? lastFireAt) =>
        lastFireAt is { } last && Utc(last) > now ? Utc(last)!.Value : now;

    internal static DateTimeOffset? Utc(DateTime? time) =>
        time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
}

/// <summary>A schedule with that name exists already, or was changed concurrently.</summary>
public sealed class ScheduleConflictException(string name, string? reason = null)
    : Exception($"Schedule '{CronTimes.Shorten(name)}': {reason ?? "a schedule with that name exists already"}.")
{
    /// <summary>The schedule's name.</summary>
    public string Name { get; } = name;
}
