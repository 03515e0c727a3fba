using Luigi.Engine.Execution;
using Luigi.Engine.Storage.Entities;

namespace Luigi.Web.Email;

/// <summary>
/// Delivers the outbox in the background, so the engine never waits for SMTP: plans the messages of runs
/// this host signals and, every <see cref="EmailOptions.SweepInterval"/>, of every recent run (another
/// host's, or one whose host died before planning); then claims due messages, composes, sends, and marks
/// each sent, or failed with its error and a next try after an exponential backoff. While the SMTP server
/// is down messages wait in the store and go when it is back. Delivery is at least once: a host that dies
/// between the server's acceptance and the mark leaves its claim to expire, and the message is sent again.
/// </summary>
internal sealed class EmailSender(
    EmailOutbox outbox, EmailPlanner planner, EmailComposer composer, MailKitTransport transport, EmailSignal signal, HostIdentity host,
    EmailOptions options, TimeProvider time, ILogger<EmailSender> logger) : BackgroundService
{
    private const int ClaimBatch = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = DateTimeOffset.MinValue;
        IReadOnlyCollection<Guid> signalled = [];
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                foreach (var runId in signalled)
                {
                    await planner.PlanAsync(runId, stoppingToken);
                }

                if (time.GetUtcNow() >= nextSweep)
                {
                    await planner.PlanAsync(null, stoppingToken);
                    await outbox.PurgeAsync(time.GetUtcNow().UtcDateTime - options.Retention, stoppingToken);
                    nextSweep = time.GetUtcNow() + options.SweepInterval;
                }

                sent = await DeliverDueAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "E-mail outbox unavailable; trying again in {Interval}", options.PollInterval);
            }

            signalled = sent == ClaimBatch ? [] : await signal.WaitAsync(options.PollInterval, time, stoppingToken);
        }
    }

    private async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var claimed = await outbox.ClaimAsync(host.Id, ClaimBatch, options.ClaimTimeout, cancellationToken);
        foreach (var message in claimed)
        {
            await DeliverAsync(message, cancellationToken);
        }

        return claimed.Count;
    }

    private async Task DeliverAsync(EmailOutboxRecord message, CancellationToken cancellationToken)
    {
        if (message.Subject is null)
        {
            var composed = await composer.ComposeAsync(message, cancellationToken);
            if (composed.SkipReason is not null)
            {
                logger.LogInformation("E-mail {Key} not sent: {Reason}", message.Key, composed.SkipReason);
                await outbox.MarkSkippedAsync(message.Id, composed.SkipReason, cancellationToken);
                return;
            }

            message.Recipients = string.Join(",", composed.Recipients);
            message.Subject = composed.Subject;
            message.TextBody = composed.TextBody;
            message.HtmlBody = composed.HtmlBody;
            await outbox.SaveComposedAsync(message, cancellationToken);
        }

        try
        {
            var mime = transport.Build(message.Recipients!.Split(',', StringSplitOptions.RemoveEmptyEntries), message.Subject, message.TextBody, message.HtmlBody);
            await transport.SendAsync(mime, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var delay = EmailBackoff.Delay(message.Attempts + 1, options.RetryDelay, options.MaxRetryDelay);
            logger.LogWarning("E-mail {Key} not delivered (attempt {Attempt}), next try in {Delay}: {Error}",
                message.Key, message.Attempts + 1, delay, exception.Message);
            await outbox.MarkFailedAsync(message.Id, $"{exception.GetType().Name}: {exception.Message}", time.GetUtcNow().UtcDateTime + delay, cancellationToken);
            return;
        }

        await outbox.MarkSentAsync(message.Id, cancellationToken);
        logger.LogInformation("E-mail {Key} sent to {Recipients}: {Subject}", message.Key, message.Recipients, message.Subject);
    }
}
