using Cronos;

namespace Luigi.Engine.Schedules;

/// <summary>
/// A cron expression read in an IANA time zone, and the fire times it gives (in UTC). Five fields (minute to day of
/// week), or six with seconds first; macros such as <c>@daily</c>. Daylight-saving changes follow Cronos: a fire time in
/// a local hour skipped in spring fires once, at the first instant after the gap; one in an hour repeated in autumn fires
/// once, at its first occurrence. Expressions that repeat within the hour (<c>*/15 * * * *</c>) keep firing every interval
/// of real time, through both copies of a repeated hour.
/// </summary>
public sealed class CronTimes
{
    private readonly CronExpression _expression;

    private CronTimes(string cron, CronExpression expression, TimeZoneInfo zone)
    {
        Cron = cron;
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The expression as given.</summary>
    public string Cron { get; }

    /// <summary>The time zone it is read in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Reads <paramref name="cron"/> in <paramref name="timeZone"/>.</summary>
    /// <exception cref="ScheduleException">The expression or the time zone is not valid; the error names which.</exception>
    public static CronTimes Parse(string? cron, string? timeZone)
    {
        var errors = new List<ScheduleError>();
        var expression = TryParseCron(cron, errors);
        var zone = TryFindZone(timeZone, errors);
        return errors.Count > 0 ? throw new ScheduleException(errors) : new CronTimes(cron!.Trim(), expression!, zone!);
    }

    internal static CronExpression? TryParseCron(string? cron, List<ScheduleError> errors)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            errors.Add(new ScheduleError("cron", "A cron expression is required (five fields, or six with seconds first, e.g. '0 6 * * *')."));
            return null;
        }

        var text = cron.Trim();
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            errors.Add(new ScheduleError("cron", $"'{Shorten(text)}' is not a valid cron expression: {exception.Message}"));
            return null;
        }
    }

    internal static TimeZoneInfo? TryFindZone(string? timeZone, List<ScheduleError> errors)
    {
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            errors.Add(new ScheduleError("timeZone", "A time zone is required: an IANA name such as 'Europe/Berlin' or 'UTC'."));
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZone.Trim());
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add(new ScheduleError("timeZone", $"Unknown time zone '{Shorten(timeZone)}': use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'UTC'."));
            return null;
        }
    }

    /// <summary>The first fire time strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after, Zone, inclusive: false)?.ToUniversalTime();

    /// <summary>The next <paramref name="count"/> fire times strictly after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        var from = after;
        while (times.Count < count && Next(from) is { } next)
        {
            times.Add(next);
            from = next;
        }

        return times;
    }

    /// <summary>The fire times after <paramref name="after"/> (exclusive) up to <paramref name="until"/> (inclusive), oldest first.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset until) =>
        until <= after ? [] : _expression.GetOccurrences(after, until, Zone, fromInclusive: false, toInclusive: true).Select(t => t.ToUniversalTime());

    internal static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
