using Luigi.Web.Email;

namespace Luigi.Web.Tests.Email;

/// <summary>How failures are batched into digests, and how long delivery waits after failing.</summary>
public sealed class DigestWindowsTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 3, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Plan_PutsFailuresWithinTheWindowInOneDigest_AndOpensANewOneAfter()
    {
        var windows = DigestWindows.Plan([T0.AddSeconds(59), T0, T0.AddSeconds(30), T0.AddSeconds(61), T0.AddSeconds(90)], [], Minute);

        Assert.Equal([(T0, T0 + Minute), (T0.AddSeconds(61), T0.AddSeconds(121))], windows);
    }

    [Fact]
    public void Plan_WritesNothingForFailuresAlreadyCovered_SoSweepsAndSeveralHostsAgree()
    {
        var existing = new[] { (T0, T0 + Minute) };

        Assert.Empty(DigestWindows.Plan([T0, T0.AddSeconds(10)], existing, Minute));
        Assert.Equal([(T0 + Minute, T0 + 2 * Minute)], DigestWindows.Plan([T0.AddSeconds(10), T0 + Minute], existing, Minute));
    }

    [Fact]
    public void Plan_WithoutAWindow_GivesEachFailureItsOwnDigest()
    {
        Assert.Equal(2, DigestWindows.Plan([T0, T0.AddMilliseconds(1)], [], TimeSpan.Zero).Count);
    }

    [Fact]
    public void Backoff_DoublesFromTheFirstDelay_UpToTheMaximum()
    {
        var delays = Enumerable.Range(1, 7).Select(n => EmailBackoff.Delay(n, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)).TotalSeconds);

        Assert.Equal([10, 20, 40, 80, 160, 300, 300], delays);
        Assert.Equal(TimeSpan.FromMinutes(5), EmailBackoff.Delay(1000, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));
    }
}
