using Luigi.Web.Auth;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Auth;

public sealed class SignInThrottleTests
{
    private static readonly AuthOptions Options = new() { MaxFailedSignIns = 3, SignInBackoff = TimeSpan.FromSeconds(30), LockoutDuration = TimeSpan.FromMinutes(5) };

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 30)]
    [InlineData(4, 60)]
    [InlineData(5, 120)]
    [InlineData(6, 240)]
    [InlineData(7, 300)]
    [InlineData(1_000, 300)]
    public void Backoff_DoublesFromTheThreshold_UpToTheLongestWait(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SignInThrottle.Backoff(failures, Options));

    [Fact]
    public void Failures_HoldBackOnlyTheirAccountAndAddress_UntilTheWaitIsOver_AndARightPasswordClearsThem()
    {
        var time = new FakeTimeProvider();
        var throttle = new SignInThrottle(Options, time);

        throttle.Failed("Admin", "203.0.113.66");
        throttle.Failed("admin", "203.0.113.66");
        Assert.Equal(TimeSpan.FromSeconds(30), throttle.Failed(" ADMIN ", "203.0.113.66"));

        Assert.Equal(TimeSpan.FromSeconds(30), throttle.Wait("admin", "203.0.113.66"));
        Assert.Equal(TimeSpan.Zero, throttle.Wait("admin", "198.51.100.7"));
        Assert.Equal(TimeSpan.Zero, throttle.Wait("vera", "203.0.113.66"));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(10), throttle.Wait("admin", "203.0.113.66"));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, throttle.Wait("admin", "203.0.113.66"));
        Assert.Equal(TimeSpan.FromSeconds(60), throttle.Failed("admin", "203.0.113.66"));

        throttle.Succeeded("admin", "203.0.113.66");
        Assert.Equal(TimeSpan.Zero, throttle.Wait("admin", "203.0.113.66"));
        Assert.Equal(TimeSpan.Zero, throttle.Failed("admin", "203.0.113.66"));
    }
}
