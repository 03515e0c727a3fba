using Luigi.Engine.Schedules;

namespace Luigi.Engine;

/// <summary>
/// Declares a schedule of the pipeline it is put on, next to the pipeline's code: run it at every fire time of
/// <see cref="Cron"/> in <see cref="TimeZone"/>. Hosts create it in the store when it is missing and apply a changed
/// declaration once; otherwise Operators' edits, pauses and deletions stand (docs/schedules.md).
/// </summary>
/// <example><code>
/// [Schedule("daily-sales", "0 6 * * *", TimeZone = "Europe/Berlin", FireTimeParameter = "end", FireTimeOffset = "-1d")]
/// public sealed class DailySales : Pipeline { ... }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ScheduleAttribute(string name, string cron) : Attribute
{
    /// <summary>The schedule's unique name.</summary>
    public string Name { get; } = name;

    /// <summary>Five fields (minute to day of week), or six with seconds first.</summary>
    public string Cron { get; } = cron;

    /// <summary>IANA time zone the cron expression is read in (UTC by default).</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Parameter values, each <c>name=value</c>.</summary>
    public string[] Parameters { get; init; } = [];

    /// <summary>A date or date-time parameter set from the fire time.</summary>
    public string? FireTimeParameter { get; init; }

    /// <summary>Moves the fire time before binding it: <c>-1d</c>, <c>+6h</c>, <c>-30m</c>.</summary>
    public string? FireTimeOffset { get; init; }

    /// <summary>What to do with fire times missed while no host was up (latest only by default).</summary>
    public CatchUpPolicy CatchUp { get; init; } = CatchUpPolicy.LatestOnly;

    /// <summary>With <see cref="CatchUpPolicy.All"/>, at most this many missed fire times are run.</summary>
    public int CatchUpLimit { get; init; } = 10;

    /// <summary>Skip a fire time while a run of this schedule is still active (true by default).</summary>
    public bool SkipWhileActive { get; init; } = true;

    /// <summary>The definition this declares for <paramref name="pipeline"/>.</summary>
    public ScheduleDefinition ToDefinition(string pipeline) => new()
    {
        Name = Name,
        Pipeline = pipeline,
        Cron = Cron,
        TimeZone = TimeZone,
        Parameters = Parameters.Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p.Length > 1 ? p[1] : ""),
        FireTimeParameter = FireTimeParameter,
        FireTimeOffset = FireTimeOffset,
        CatchUp = CatchUp,
        CatchUpLimit = CatchUpLimit,
        SkipWhileActive = SkipWhileActive,
    };
}
