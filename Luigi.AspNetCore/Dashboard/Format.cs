using System.Globalization;

namespace Luigi.Web.Dashboard;

/// <summary>How times and durations read on the dashboard (times in UTC, as the store keeps them).</summary>
public static class Format
{
    /// <summary>A point in time, or an em dash when there is none.</summary>
    public static string Time(DateTime? at) =>
        at is { } value ? value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    /// <summary>A time of day with milliseconds, for log lines and state history.</summary>
    public static string Clock(DateTime at) => at.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>The time between <paramref name="start"/> and <paramref name="end"/> (or <paramref name="now"/> while
    /// unfinished); an em dash before the start.</summary>
    public static string Duration(DateTime? start, DateTime? end, DateTime now) =>
        start is { } s ? Duration((end ?? now) - s) : "—";

    /// <summary>A duration in the largest units that matter: <c>850 ms</c>, <c>12.3 s</c>, <c>4 min 05 s</c>, <c>2 h 07 min</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds switch
        {
            < 1 => $"{span.TotalMilliseconds:0} ms",
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s"),
            < 3600 => $"{(int)span.TotalMinutes} min {span.Seconds:00} s",
            _ => $"{(int)span.TotalHours} h {span.Minutes:00} min",
        };
    }

    /// <summary>The first line of a text.</summary>
    public static string FirstLine(string? text) =>
        text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');
}
