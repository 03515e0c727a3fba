using Luigi.Web.Email;

namespace Luigi.Web.Tests.Email;

/// <summary>How failures are batched into digests, and how long delivery waits after failing.</summary>
public sealed class DigestWindowsTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 3, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Plan_PutsFailuresOfOneWindowOfTheRunInOneDigest_AndTheNextWindowsInTheirs()
    {
        var created = T0.AddSeconds(-20); // windows: [T0-20s, T0+40s), [T0+40s, T0+100s), ...

        var windows = DigestWindows.Plan([T0.AddSeconds(59), T0, T0.AddSeconds(30), T0.AddSeconds(61), T0.AddSeconds(90)], [], Minute, created);

        Assert.Equal([(created, created + Minute), (created + Minute, created + 2 * Minute)], windows);
    }

    [Fact]
    public void Plan_WritesNothingForFailuresAlreadyCovered_SoSweepsAndSeveralHostsAgree()
    {
        var existing = new[] { (T0, T0 + Minute) };

        Assert.Empty(DigestWindows.Plan([T0, T0.AddSeconds(10)], existing, Minute, T0));
        Assert.Equal([(T0 + Minute, T0 + 2 * Minute)], DigestWindows.Plan([T0.AddSeconds(10), T0 + Minute], existing, Minute, T0));
    }

    [Fact]
    public void Plan_GivesTheSameWindows_WhicheverFailuresAHostSeesFirst()
    {
        // Two hosts commit concurrently: the later-stamped failure can be visible before the earlier one.
        var late = DigestWindows.Plan([T0.AddSeconds(50)], [], Minute, T0);
        var thenEarly = DigestWindows.Plan([T0.AddSeconds(10), T0.AddSeconds(50)], late, Minute, T0);
        var allAtOnce = DigestWindows.Plan([T0.AddSeconds(10), T0.AddSeconds(50)], [], Minute, T0);

        Assert.Equal(allAtOnce, [.. late, .. thenEarly]);
        Assert.Equal([(T0, T0 + Minute)], allAtOnce);
    }

    [Fact]
    public void Plan_WithoutAWindow_GivesEachFailureItsOwnDigest()
    {
        Assert.Equal(2, DigestWindows.Plan([T0, T0.AddMilliseconds(1)], [], TimeSpan.Zero, T0.AddSeconds(-3)).Count);
    }

    [Fact]
    public void Backoff_DoublesFromTheFirstDelay_UpToTheMaximum()
    {
        var delays = Enumerable.Range(1, 7).Select(n => EmailBackoff.Delay(n, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)).TotalSeconds);

        Assert.Equal([10, 20, 40, 80, 160, 300, 300], delays);
        Assert.Equal(TimeSpan.FromMinutes(5), EmailBackoff.Delay(1000, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));
    }
}
