namespace Luigi.Web.Email;

/// <summary>How long to wait before trying to deliver a message again, as a pure function.</summary>
public static class EmailBackoff
{
    /// <summary>
    /// The wait after <paramref name="failedAttempts"/> failed deliveries (1 or more): <paramref name="first"/>,
    /// doubled after each further failure, never more than <paramref name="max"/>.
    /// </summary>
    public static TimeSpan Delay(int failedAttempts, TimeSpan first, TimeSpan max)
    {
        var doublings = Math.Clamp(failedAttempts - 1, 0, 30);
        var delay = first.Ticks * Math.Pow(2, doublings);
        return delay >= max.Ticks ? max : TimeSpan.FromTicks((long)delay);
    }
}
