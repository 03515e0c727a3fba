namespace Luigi.Web.Email;

/// <summary>
/// One e-mail to send, written to the store so that the executor never waits for SMTP and nothing is lost
/// while the relay is down. <see cref="Key"/> is unique: the hosts that notice the same failure write the
/// same key, and only the first insert counts. The message is composed when it is first due
/// (<see cref="Subject"/> is null until then), so a digest lists every failure of its window.
/// </summary>
public sealed class EmailOutboxRecord
{
    public Guid Id { get; set; }

    /// <summary>Identity of what the message is about: <c>digest:{run}:{window start}</c>, <c>summary:{run}</c>, <c>test:{id}</c>.</summary>
    public required string Key { get; set; }

    public EmailKind Kind { get; set; }

    /// <summary>The run concerned; null for a test message.</summary>
    public Guid? RunId { get; set; }

    /// <summary>For a digest: failures finished from this time (inclusive) ...</summary>
    public DateTime? WindowStart { get; set; }

    /// <summary>... to this time (exclusive).</summary>
    public DateTime? WindowEnd { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Not to be sent (or retried) before this time.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>Recipients, comma-separated; composed with the message when null.</summary>
    public string? Recipients { get; set; }

    public string? Subject { get; set; }

    public string? TextBody { get; set; }

    public string? HtmlBody { get; set; }

    /// <summary>Delivery attempts made so far.</summary>
    public int Attempts { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>Not sent on purpose (its content went into a summary, or nobody is to receive it), with the reason.</summary>
    public string? SkippedReason { get; set; }

    public string? LastError { get; set; }

    public DateTime? LastErrorAt { get; set; }

    /// <summary>The host sending it now.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Another host may take it over after this time (the sender died mid-delivery).</summary>
    public DateTime? ClaimedUntil { get; set; }
}
