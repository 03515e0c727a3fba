using System.Net.Mail;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Web.Email;

/// <summary>
/// What the dashboard and the API offer operators about e-mail: its status (messages waiting, the last one
/// sent, the last delivery error) and a test message to check the settings end to end.
/// </summary>
public sealed class EmailStatusService(EmailOutbox outbox, EmailOptions options, EmailSignal signal, TimeProvider time)
{
    /// <summary>The outbox as it stands.</summary>
    public Task<EmailStatus> GetStatusAsync(CancellationToken cancellationToken = default) => outbox.GetStatusAsync(options.Enabled, cancellationToken);

    /// <summary>
    /// Queues a test message to <paramref name="to"/>, or to <see cref="EmailOptions.Recipients"/> when it is
    /// empty, and wakes the sender. Follow its delivery with <see cref="GetStatusAsync"/>.
    /// </summary>
    /// <exception cref="EmailTestException">E-mail is off, <paramref name="to"/> is not an address, or nobody is to receive it.</exception>
    public async Task<TestEmailQueued> SendTestAsync(string? to, string? requestedBy, CancellationToken cancellationToken = default)
    {
        if (!options.Enabled)
        {
            throw new EmailTestException("E-mail is switched off: set Luigi:Email:Enabled to true (with Host, From and Recipients).");
        }

        if (!string.IsNullOrWhiteSpace(to) && !MailAddress.TryCreate(to, out _))
        {
            throw new EmailTestException($"'{to}' is not an e-mail address.");
        }

        IReadOnlyList<string> recipients = string.IsNullOrWhiteSpace(to) ? options.Recipients : [to.Trim()];
        if (recipients.Count == 0)
        {
            throw new EmailTestException("No recipient: give one, or set Luigi:Email:Recipients.");
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var report = new EmailReport("[Luigi] Test e-mail", "This is a test e-mail from Luigi.",
            [("Sent at", now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'")), ("Requested by", requestedBy ?? "anonymous"),
                ("SMTP server", $"{options.Host}:{options.Port} ({options.Security})")], null, [], [], []);
        await outbox.AddAsync(new EmailOutboxRecord
        {
            Id = id,
            Key = $"test:{id}",
            Kind = EmailKind.Test,
            CreatedAt = now.UtcDateTime,
            NextAttemptAt = now.UtcDateTime,
            Recipients = string.Join(",", recipients),
            Subject = report.Subject,
            TextBody = EmailBodies.Text(report),
            HtmlBody = EmailBodies.Html(report),
        }, cancellationToken);
        signal.Notify(null);
        return new TestEmailQueued(id, recipients);
    }
}

/// <summary>A test message was queued.</summary>
/// <param name="Id">Its id in the outbox.</param>
/// <param name="Recipients">Who will receive it.</param>
public sealed record TestEmailQueued(Guid Id, IReadOnlyList<string> Recipients);
