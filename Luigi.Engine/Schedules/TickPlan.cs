namespace Luigi.Engine.Schedules;

/// <summary>
/// What one tick of a schedule does, worked out from the fire times due since the last one dealt with: which fire
/// times get a run, how many were missed and dropped, and the fire time the schedule has now dealt with. A pure
/// function of its inputs, tested without a clock.
/// </summary>
/// <param name="Run">Fire times to run, oldest first.</param>
/// <param name="Missed">Due fire times dropped by the catch-up policy.</param>
/// <param name="DealtWith">The latest due fire time (the schedule's new cursor), or null when nothing was due.</param>
public sealed record TickPlan(IReadOnlyList<DateTimeOffset> Run, int Missed, DateTimeOffset? DealtWith)
{
    /// <summary>Nothing due.</summary>
    public static readonly TickPlan Nothing = new([], 0, null);

    /// <summary>
    /// The plan at <paramref name="now"/> for fire times after <paramref name="after"/>. A fire time at most
    /// <paramref name="misfireThreshold"/> old is on time and always runs; older ones were missed (no host ticked when they
    /// came) and follow <paramref name="policy"/>: none, the latest only, or all of them up to <paramref name="limit"/>
    /// (the latest ones).
    /// </summary>
    public static TickPlan For(
        CronTimes times, DateTimeOffset after, DateTimeOffset now, CatchUpPolicy policy, int limit, TimeSpan misfireThreshold)
    {
        var due = times.Between(after, now).ToList();
        if (due.Count == 0)
        {
            return Nothing;
        }

        var onTime = due.Where(t => now - t <= misfireThreshold).ToList();
        var missed = due.Where(t => now - t > misfireThreshold).ToList();
        var caughtUp = policy switch
        {
            CatchUpPolicy.Skip => [],
            CatchUpPolicy.LatestOnly => onTime.Count > 0 ? [] : missed.TakeLast(1).ToList(),
            _ => missed.TakeLast(Math.Max(0, limit)).ToList(),
        };
        var run = caughtUp.Concat(onTime).ToList();
        return new TickPlan(run, due.Count - run.Count, due[^1]);
    }
}
