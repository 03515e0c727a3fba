using Luigi.Engine.Schedules;

namespace Luigi.Engine.Tests.Schedules;

/// <summary>A date or date-time parameter set from the fire time, on the schedule's local calendar.</summary>
public sealed class FireTimeBindingTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void ValueFor_GivesThePreviousLocalDay_ForMinusOneDay()
    {
        // 23:30 UTC on the 26th is 00:30 on the 27th in Berlin: the day before is the 26th.
        var binding = FireTimeBinding.Parse("date", "-1d");

        Assert.Equal("2026-11-26", binding.ValueFor(new DateTimeOffset(2026, 11, 26, 23, 30, 0, TimeSpan.Zero), Berlin, typeof(DateOnly)));
    }

    [Fact]
    public void ValueFor_GivesTheLocalWallTime_ForADateTimeParameter()
    {
        var binding = FireTimeBinding.Parse("hour", "-2h");

        Assert.Equal("2026-11-27T05:00:00", binding.ValueFor(new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero), Berlin, typeof(DateTime?)));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-1w")]
    [InlineData("1.5d")]
    public void Parse_RefusesAnOffsetThatIsNotWholeDaysHoursOrMinutes(string offset)
    {
        var error = Assert.Throws<ScheduleException>(() => FireTimeBinding.Parse("date", offset));

        Assert.Equal("fireTimeOffset", Assert.Single(error.Errors).Field);
    }
}
