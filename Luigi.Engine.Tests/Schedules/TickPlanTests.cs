using Luigi.Engine.Schedules;

namespace Luigi.Engine.Tests.Schedules;

/// <summary>Which fire times a tick runs, by catch-up policy, after every host was down across three fire times.</summary>
public sealed class TickPlanTests
{
    private static readonly CronTimes Hourly = CronTimes.Parse("0 * * * *", "UTC");
    private static readonly DateTimeOffset LastFired = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    // Hosts came back at 09:30: 07:00, 08:00 and 09:00 were missed.
    private static readonly DateTimeOffset Back = new(2026, 11, 27, 9, 30, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int hour) => new(2026, 11, 27, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public void For_RunsNothing_WithSkip()
    {
        var plan = TickPlan.For(Hourly, LastFired, Back, CatchUpPolicy.Skip, 10, TimeSpan.FromMinutes(1));

        Assert.Empty(plan.Run);
        Assert.Equal(3, plan.Missed);
        Assert.Equal(At(9), plan.DealtWith);
    }

    [Fact]
    public void For_RunsTheLatest_WithLatestOnly()
    {
        var plan = TickPlan.For(Hourly, LastFired, Back, CatchUpPolicy.LatestOnly, 10, TimeSpan.FromMinutes(1));

        Assert.Equal([At(9)], plan.Run);
        Assert.Equal(2, plan.Missed);
    }

    [Fact]
    public void For_RunsEveryOne_WithAll()
    {
        var plan = TickPlan.For(Hourly, LastFired, Back, CatchUpPolicy.All, 10, TimeSpan.FromMinutes(1));

        Assert.Equal([At(7), At(8), At(9)], plan.Run);
        Assert.Equal(0, plan.Missed);
    }

    [Fact]
    public void For_RunsTheLatestUpToTheLimit_WithAll()
    {
        var plan = TickPlan.For(Hourly, LastFired, Back, CatchUpPolicy.All, 2, TimeSpan.FromMinutes(1));

        Assert.Equal([At(8), At(9)], plan.Run);
        Assert.Equal(1, plan.Missed);
    }

    [Theory]
    [InlineData(CatchUpPolicy.Skip)]
    [InlineData(CatchUpPolicy.LatestOnly)]
    [InlineData(CatchUpPolicy.All)]
    public void For_RunsAFireTimeOnTime_WhateverThePolicy(CatchUpPolicy policy)
    {
        var plan = TickPlan.For(Hourly, At(6), At(7).AddSeconds(2), policy, 10, TimeSpan.FromMinutes(1));

        Assert.Equal([At(7)], plan.Run);
    }

    [Fact]
    public void For_IsEmpty_BeforeTheNextFireTime()
    {
        Assert.Same(TickPlan.Nothing, TickPlan.For(Hourly, At(6), At(6).AddMinutes(59), CatchUpPolicy.All, 10, TimeSpan.FromMinutes(1)));
    }
}
