namespace Luigi.Engine.Tests;

public sealed class RetryPolicyTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);

    [Fact]
    public void DelayAfter_IsTheSameForEveryFailure_WithAFixedPolicy()
    {
        var policy = RetryPolicy.Fixed(3, TimeSpan.FromSeconds(5));

        Assert.All([1, 2, 3], failed => Assert.Equal(TimeSpan.FromSeconds(5), policy.DelayAfter(failed)));
    }

    [Fact]
    public void DelayAfter_MultipliesTheDelayAfterEachFailure_WithBackoff()
    {
        var policy = RetryPolicy.Exponential(5, TenSeconds, multiplier: 2.0);

        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(80)],
            [policy.DelayAfter(1), policy.DelayAfter(2), policy.DelayAfter(3), policy.DelayAfter(4)]);
    }

    [Fact]
    public void DelayAfter_NeverExceedsMaxDelay()
    {
        var policy = RetryPolicy.Exponential(10, TenSeconds, multiplier: 3.0, maxDelay: TimeSpan.FromMinutes(1));

        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)],
            Enumerable.Range(1, 5).Select(policy.DelayAfter));
    }

    [Fact]
    public void DelayAfter_DependsOnlyOnTheAttemptNumber()
    {
        var policy = RetryPolicy.Exponential(5, TenSeconds, multiplier: 2.0, maxDelay: TimeSpan.FromMinutes(5));
        var third = policy.DelayAfter(3);

        var shuffled = new[] { 5, 1, 3, 3, 2, 4 }.Select(policy.DelayAfter).ToArray();

        Assert.Equal(third, policy.DelayAfter(3));
        Assert.Equal(third, shuffled[2]);
        Assert.Equal(shuffled[2], shuffled[3]);
        Assert.Equal(new RetryPolicy(5, TenSeconds, 2.0, TimeSpan.FromMinutes(5)), policy);
    }

    [Fact]
    public void DelayAfter_StaysAtTheCap_AfterVeryManyFailures()
    {
        var capped = RetryPolicy.Exponential(2000, TimeSpan.FromSeconds(1), multiplier: 10, maxDelay: TimeSpan.FromHours(1));
        var uncapped = RetryPolicy.Exponential(2000, TimeSpan.FromSeconds(1), multiplier: 10);

        Assert.Equal(TimeSpan.FromHours(1), capped.DelayAfter(1000));
        Assert.Equal(TimeSpan.MaxValue, uncapped.DelayAfter(1000));
    }

    [Fact]
    public void DelayAfter_IsZero_WhenThePolicyHasNoDelay()
    {
        Assert.Equal(TimeSpan.Zero, RetryPolicy.Fixed(2, TimeSpan.Zero).DelayAfter(2));
        Assert.Equal(TimeSpan.Zero, RetryPolicy.None.DelayAfter(1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void DelayAfter_RejectsAttemptNumbersBelowOne(int failedAttempt)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.Fixed(1, TenSeconds).DelayAfter(failedAttempt));
    }

    [Fact]
    public void ShouldRetry_AllowsRetryCountRetriesAfterTheFirstAttempt()
    {
        var policy = RetryPolicy.Fixed(3, TenSeconds);

        Assert.Equal(4, policy.MaxAttempts);
        Assert.Equal([true, true, true, false], Enumerable.Range(1, 4).Select(policy.ShouldRetry));
    }

    [Fact]
    public void None_NeverRetries()
    {
        Assert.Equal(1, RetryPolicy.None.MaxAttempts);
        Assert.False(RetryPolicy.None.ShouldRetry(1));
    }
}
