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
