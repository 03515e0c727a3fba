using System.Globalization;
using System.Text.RegularExpressions;
using Luigi.Engine.Parameters;

namespace Luigi.Engine.Schedules;

/// <summary>
/// Sets a date or date-time parameter from the fire time: the fire time read in the schedule's time zone, moved by an
/// offset of whole days, hours or minutes on the local calendar and clock (<c>-1d</c> is the previous local day whatever
/// the daylight-saving change in between), then taken as a <see cref="DateOnly"/> (its local day) or a
/// <see cref="DateTime"/> (its local wall time). <c>date</c> bound with <c>-1d</c> on a schedule firing at 06:00 on
/// 2026-11-27 gives <c>date=2026-11-26</c>.
/// </summary>
public sealed partial record FireTimeBinding(string Parameter, int Amount, char Unit)
{
    /// <summary>Reads a binding of <paramref name="parameter"/> with <paramref name="offset"/> (<c>-1d</c>, <c>+2h</c>, <c>-30m</c>, <c>0</c> or empty).</summary>
    /// <exception cref="ScheduleException">The offset is not of that form.</exception>
    public static FireTimeBinding Parse(string parameter, string? offset)
    {
        var text = (offset ?? "").Trim();
        if (text.Length == 0 || text == "0")
        {
            return new FireTimeBinding(parameter, 0, 'd');
        }

        var match = OffsetPattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups["amount"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount)
            || Math.Abs(amount) > 100_000)
        {
            throw new ScheduleException("fireTimeOffset",
                $"'{CronTimes.Shorten(text)}' is not an offset: use a signed whole number of days, hours or minutes, such as -1d, +6h or -30m (or 0).");
        }

        return new FireTimeBinding(parameter, amount, match.Groups["unit"].Value[0]);
    }

    /// <summary>The offset as written (<c>-1d</c>), or <c>0</c>.</summary>
    public string Offset => Amount == 0 ? "0" : $"{Amount:+0;-0}{Unit}";

    /// <summary>True when a parameter of <paramref name="type"/> can take the fire time.</summary>
    public static bool CanBind(Type type)
    {
        var bare = Nullable.GetUnderlyingType(type) ?? type;
        return bare == typeof(DateOnly) || bare == typeof(DateTime);
    }

    /// <summary>The parameter's value as text for <paramref name="fireAt"/> in <paramref name="zone"/>, for a parameter of <paramref name="type"/>.</summary>
    public string ValueFor(DateTimeOffset fireAt, TimeZoneInfo zone, Type type)
    {
        var local = TimeZoneInfo.ConvertTime(fireAt, zone).DateTime;
        var moved = Unit switch
        {
            'd' => local.AddDays(Amount),
            'h' => local.AddHours(Amount),
            _ => local.AddMinutes(Amount),
        };
        var bare = Nullable.GetUnderlyingType(type) ?? type;
        return bare == typeof(DateOnly)
            ? ParameterValues.Format(DateOnly.FromDateTime(moved))
            : ParameterValues.Format(DateTime.SpecifyKind(moved, DateTimeKind.Unspecified));
    }

    [GeneratedRegex("^(?<amount>[+-]?[0-9]{1,6})(?<unit>[dhm])$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();
}
