namespace Luigi.Web.Email;

/// <summary>The state of failure e-mail, for the dashboard's status panel and <c>GET /api/email/status</c>.</summary>
/// <param name="Enabled">E-mail is switched on (<c>Luigi:Email:Enabled</c>).</param>
/// <param name="Pending">Messages waiting to be sent (due later, or waiting for the SMTP server to come back).</param>
/// <param name="LastSentAt">When the SMTP server last accepted a message (UTC), if ever.</param>
/// <param name="LastError">The most recent delivery error, if any; compare its time with <paramref name="LastSentAt"/>.</param>
/// <param name="LastErrorAt">When it happened (UTC).</param>
public sealed record EmailStatus(bool Enabled, int Pending, DateTime? LastSentAt, string? LastError, DateTime? LastErrorAt)
{
    /// <summary>The last attempt to deliver failed: no message went through since the last error.</summary>
    public bool Failing => LastErrorAt is { } error && (LastSentAt is not { } sent || sent < error);
}
