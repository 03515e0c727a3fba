using System.Text.Json;
using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Engine.Schedules;

namespace Luigi.Web.Api;

/// <summary>A schedule over the API; times are UTC (ISO 8601 with <c>Z</c>).</summary>
/// <param name="Name">Its unique name.</param>
/// <param name="Pipeline">The pipeline it runs.</param>
/// <param name="Cron">Five fields, or six with seconds first.</param>
/// <param name="TimeZone">The IANA time zone the expression is read in.</param>
/// <param name="Parameters">Parameter values of every run.</param>
/// <param name="FireTimeParameter">A date or date-time parameter set from the fire time, or null.</param>
/// <param name="FireTimeOffset">Added to the fire time first: <c>-1d</c>, <c>+6h</c>, <c>-30m</c>, <c>0</c>.</param>
/// <param name="CatchUp">Skip, LatestOnly or All: what is done with fire times missed while no host was up.</param>
/// <param name="CatchUpLimit">With All, how many missed fire times at most.</param>
/// <param name="SkipWhileActive">A fire time is skipped while a run of the schedule is still active.</param>
/// <param name="Paused">No fire time makes a run.</param>
/// <param name="DeclaredInCode">Declared next to the pipeline's code.</param>
/// <param name="NextFireAt">The next fire time (UTC), or null when paused.</param>
/// <param name="LastRun">The latest run it made, or null.</param>
/// <param name="LastResult">What its latest tick came to: NotYetFired, Running, Succeeded, NothingToDo, Failed, Cancelled, SkippedWhileActive, Missed or Refused.</param>
/// <param name="LastResultText">The same in words ("nothing to do").</param>
/// <param name="LastError">Why the latest tick made no run, when refused.</param>
/// <param name="NextFireTimes">The next five fire times (one schedule only).</param>
public sealed record ScheduleDto(
    string Name, string Pipeline, string Cron, string TimeZone, IReadOnlyDictionary<string, string> Parameters, string? FireTimeParameter,
    string? FireTimeOffset, CatchUpPolicy CatchUp, int CatchUpLimit, bool SkipWhileActive, bool Paused, bool DeclaredInCode, DateTime? NextFireAt,
    ScheduleRunDto? LastRun, ScheduleOutcome LastResult, string LastResultText, string? LastError, IReadOnlyList<DateTime>? NextFireTimes = null)
{
    /// <param name="s">The schedule.</param>
    /// <param name="pathBase">The path Luigi is mapped at (<c>Request.PathBase</c>), which the last run's URL starts with.</param>
    /// <param name="next">Its next fire times, for one schedule.</param>
    public static ScheduleDto From(ScheduleView s, PathString pathBase, IReadOnlyList<DateTimeOffset>? next = null) => new(
        s.Name, s.Pipeline, s.Cron, s.TimeZone, s.Parameters, s.FireTimeParameter, s.FireTimeOffset, s.CatchUp, s.CatchUpLimit, s.SkipWhileActive,
        s.Paused, s.DeclaredInCode, s.NextFireAt?.UtcDateTime,
        s.LastRun is { } run ? new ScheduleRunDto(run.Id, $"{pathBase}/api/runs/{run.Id}", run.State, run.FireAt?.UtcDateTime, run.CreatedAt.UtcDateTime, run.FinishedAt?.UtcDateTime) : null,
        s.LastResult, s.LastResult.Describe(), s.LastError, next?.Select(t => t.UtcDateTime).ToList());
}

/// <summary>The latest run of a schedule.</summary>
public sealed record ScheduleRunDto(Guid Id, string Url, RunState State, DateTime? FireAt, DateTime CreatedAt, DateTime? FinishedAt);

/// <summary>Body of <c>POST /api/schedules</c> and <c>PUT /api/schedules/{name}</c> (where the name comes from the route, and
/// <c>paused</c> is ignored: pause and resume have their own routes).</summary>
public sealed record ScheduleRequest(
    string? Name, string? Pipeline, string? Cron, string? TimeZone, Dictionary<string, JsonElement>? Parameters, string? FireTimeParameter,
    string? FireTimeOffset, CatchUpPolicy? CatchUp, int? CatchUpLimit, bool? SkipWhileActive, bool? Paused)
{
    /// <summary>The definition asked for; unset fields take their defaults (UTC, latest only, 10, skip while active, not paused).</summary>
    /// <exception cref="ScheduleException">A parameter value is not valid text.</exception>
    public ScheduleDefinition ToDefinition(string? name = null)
    {
        IReadOnlyDictionary<string, string> parameters;
        try
        {
            parameters = new TriggerRequest(Parameters).ParametersAsText();
        }
        catch (ParameterException exception)
        {
            throw new ScheduleException(exception.Errors.Select(e => new ScheduleError($"parameters.{e.Parameter}", e.Message)).ToList());
        }

        var defaults = new ScheduleDefinition { Name = "", Pipeline = "", Cron = "" };
        return new ScheduleDefinition
        {
            Name = name ?? Name ?? "",
            Pipeline = Pipeline ?? "",
            Cron = Cron ?? "",
            TimeZone = TimeZone ?? defaults.TimeZone,
            Parameters = parameters,
            FireTimeParameter = FireTimeParameter,
            FireTimeOffset = FireTimeOffset,
            CatchUp = CatchUp ?? defaults.CatchUp,
            CatchUpLimit = CatchUpLimit ?? defaults.CatchUpLimit,
            SkipWhileActive = SkipWhileActive ?? defaults.SkipWhileActive,
            Paused = Paused ?? false,
        };
    }
}

/// <summary>Body of <c>POST /api/pipelines/{name}/backfills</c>.</summary>
/// <param name="From">First date (yyyy-MM-dd).</param>
/// <param name="To">Last date, inclusive.</param>
/// <param name="Parameters">The other parameters, the same for every date.</param>
/// <param name="DateParameter">The date parameter that takes each date (needed only when the pipeline has several).</param>
/// <param name="MaxConcurrentRuns">How many dates run at once (default 3).</param>
public sealed record BackfillRequestDto(
    DateOnly? From, DateOnly? To, Dictionary<string, JsonElement>? Parameters, string? DateParameter, int? MaxConcurrentRuns);

/// <summary>A backfill was accepted: where to follow it.</summary>
public sealed record BackfillAccepted(Guid Id, string Url, BackfillView Backfill);
