using Luigi.Engine.Schedules;

namespace Luigi.Engine.Tests.Schedules;

/// <summary>Fire times of a cron expression in a time zone, across daylight-saving changes (Europe/Berlin, 2026).</summary>
public sealed class CronTimesTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Between_FiresOnceAtTheEndOfTheGap_WhenSpringForwardSkipsTheLocalTime()
    {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
        var times = CronTimes.Parse("30 2 * * *", "Europe/Berlin");

        var fired = times.Between(Utc("2026-03-27T12:00:00"), Utc("2026-03-30T12:00:00")).ToList();

        Assert.Equal([Utc("2026-03-28T01:30:00"), Utc("2026-03-29T01:00:00"), Utc("2026-03-30T00:30:00")], fired);
    }

    [Fact]
    public void Between_FiresOnce_WhenFallBackRepeatsTheLocalHour()
    {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice that night.
        var times = CronTimes.Parse("30 2 * * *", "Europe/Berlin");

        var fired = times.Between(Utc("2026-10-24T12:00:00"), Utc("2026-10-26T12:00:00")).ToList();

        Assert.Equal([Utc("2026-10-25T00:30:00"), Utc("2026-10-26T01:30:00")], fired);
    }

    [Fact]
    public void Between_KeepsFiringEveryRealHour_ForAnHourlyExpressionThroughTheRepeatedHour()
    {
        var times = CronTimes.Parse("0 * * * *", "Europe/Berlin");

        var fired = times.Between(Utc("2026-10-24T23:30:00"), Utc("2026-10-25T02:30:00")).ToList();

        Assert.Equal([Utc("2026-10-25T00:00:00"), Utc("2026-10-25T01:00:00"), Utc("2026-10-25T02:00:00")], fired);
    }

    [Fact]
    public void Next_ReadsSixFieldsWithSecondsFirst()
    {
        var times = CronTimes.Parse("15 0 6 * * *", "UTC");

        Assert.Equal([Utc("2026-11-27T06:00:15"), Utc("2026-11-28T06:00:15")], times.Next(Utc("2026-11-27T00:00:00"), 2));
    }

    [Fact]
    public void Next_IsReadInTheScheduleTimeZone()
    {
        var times = CronTimes.Parse("0 6 * * *", "America/New_York");

        Assert.Equal(Utc("2026-11-27T11:00:00"), times.Next(Utc("2026-11-27T00:00:00")));
    }

    [Theory]
    [InlineData("61 * * * *", "UTC", "cron")]
    [InlineData("", "UTC", "cron")]
    [InlineData("not a cron", "UTC", "cron")]
    [InlineData("0 6 * * *", "Mars/Olympus_Mons", "timeZone")]
    [InlineData("0 6 * * *", "", "timeZone")]
    public void Parse_NamesTheBadField(string cron, string zone, string field)
    {
        var error = Assert.Throws<ScheduleException>(() => CronTimes.Parse(cron, zone));

        Assert.Equal(field, Assert.Single(error.Errors).Field);
    }
}
