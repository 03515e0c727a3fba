namespace Luigi.Engine;

/// <summary>
/// How long an <see cref="ExternalTask"/> waits for its outputs to arrive, as Airflow's sensors and Luigi's retried
/// external tasks do: it is checked every <see cref="Every"/> until its outputs exist, for at most <see cref="UpTo"/>
/// counted from the start of the run. Between checks it is <see cref="TaskState.RetryWaiting"/> with its next check
/// time and its deadline (shown as "Waiting for data", <c>waitingForDataUntil</c> in the API) and holds no worker; when
/// the deadline passes without the outputs it fails ("... never arrived: ...").
/// </summary>
/// <example><c>public override WaitFor? WaitFor => new(every: TimeSpan.FromMinutes(5), upTo: TimeSpan.FromHours(6));</c></example>
public sealed record WaitFor
{
    /// <summary>A policy that checks every <paramref name="every"/> for up to <paramref name="upTo"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive, or <paramref name="upTo"/> is negative.</exception>
    public WaitFor(TimeSpan every, TimeSpan upTo)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(upTo, TimeSpan.Zero);
        Every = every;
        UpTo = upTo;
    }

    /// <summary>Time between two checks.</summary>
    public TimeSpan Every { get; }

    /// <summary>How long after the start of the run the task gives up.</summary>
    public TimeSpan UpTo { get; }

    /// <summary>When a task whose run started at <paramref name="runStarted"/> gives up waiting.</summary>
    public DateTimeOffset DeadlineFor(DateTimeOffset runStarted) => runStarted + UpTo;

    /// <summary>
    /// When to check again after a check at <paramref name="now"/> found nothing, in a run that started at
    /// <paramref name="runStarted"/>: one interval later, but never past the deadline (the last check is at the deadline);
    /// null when the deadline has passed, so the task fails.
    /// </summary>
    public DateTimeOffset? NextCheck(DateTimeOffset runStarted, DateTimeOffset now)
    {
        var deadline = DeadlineFor(runStarted);
        return now >= deadline ? null : (now + Every < deadline ? now + Every : deadline);
    }
}

/// <summary>
/// An external task waiting for its data (<see cref="WaitFor"/>) is <see cref="TaskState.RetryWaiting"/> between checks,
/// as a task waiting to retry after a failure is; what tells them apart is stored with the task: its <c>blocked_by</c>
/// holds the time it gives up waiting (ISO 8601, UTC), which a retry leaves empty.
/// </summary>
public static class WaitingForData
{
    /// <summary>The <c>blocked_by</c> of a task waiting for its data until <paramref name="until"/> (UTC); null for any other.</summary>
    public static string? Text(DateTime? until) =>
        until is { } time ? DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>When a task in <paramref name="state"/> with <paramref name="blockedBy"/> gives up waiting for its data; null
    /// when it does not wait for data.</summary>
    public static DateTime? Until(TaskState state, string? blockedBy) =>
        state == TaskState.RetryWaiting && DateTime.TryParse(blockedBy, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var until)
            ? until
            : null;
}
