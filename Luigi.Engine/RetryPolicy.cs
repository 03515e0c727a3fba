namespace Luigi.Engine;

/// <summary>
/// How often a failed task is tried again and how long it waits in between. Retry is data, decided at
/// one transition point by the engine: a failed attempt with retries left goes to
/// <see cref="TaskState.RetryWaiting"/>, otherwise to <see cref="TaskState.Failed"/>.
/// </summary>
/// <param name="RetryCount">Retries after the first attempt; a task runs at most <c>RetryCount + 1</c> times.</param>
/// <param name="Delay">Wait before the first retry.</param>
/// <param name="BackoffMultiplier">Each further retry waits this many times longer than the previous one (1 = constant).</param>
/// <param name="MaxDelay">Upper bound of any single wait, when backing off.</param>
public sealed record RetryPolicy(int RetryCount, TimeSpan Delay, double BackoffMultiplier = 1.0, TimeSpan? MaxDelay = null)
{
    /// <summary>No retry: the first failure is final.</summary>
    public static RetryPolicy None { get; } = new(0, TimeSpan.Zero);

    /// <summary>Constant delay between attempts.</summary>
    public static RetryPolicy Fixed(int retryCount, TimeSpan delay) => new(retryCount, delay);

    /// <summary>Delay multiplied by <paramref name="multiplier"/> after each failure, capped at <paramref name="maxDelay"/>.</summary>
    public static RetryPolicy Exponential(int retryCount, TimeSpan initialDelay, double multiplier = 2.0, TimeSpan? maxDelay = null) =>
        new(retryCount, initialDelay, multiplier, maxDelay);

    /// <summary>Maximum number of attempts.</summary>
    public int MaxAttempts => RetryCount + 1;

    /// <summary>True when an attempt numbered <paramref name="failedAttempt"/> (1-based) may be followed by another.</summary>
    public bool ShouldRetry(int failedAttempt) => failedAttempt <= RetryCount;

    /// <summary>The wait after attempt <paramref name="failedAttempt"/> (1-based) failed.</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        if (Delay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var ticks = Delay.Ticks * Math.Pow(Math.Max(1.0, BackoffMultiplier), failedAttempt - 1);
        var cap = MaxDelay ?? TimeSpan.MaxValue;
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }
}
