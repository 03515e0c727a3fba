using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Luigi.Web.Email;

/// <summary>Delivers one message to the configured SMTP server with MailKit: connect, secure, authenticate, send.</summary>
public sealed class MailKitTransport(EmailOptions options)
{
    /// <summary>Sends <paramref name="message"/>; throws when the server cannot be reached or refuses it.</summary>
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)options.SmtpTimeout.TotalMilliseconds };
        var security = options.Security switch
        {
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(options.Host!, options.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(options.User))
        {
            await client.AuthenticateAsync(options.User, options.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    /// <summary>The MIME message: both bodies, from <see cref="EmailOptions.From"/> to <paramref name="recipients"/>.</summary>
    public MimeMessage Build(IEnumerable<string> recipients, string subject, string? textBody, string? htmlBody)
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse(options.From!));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Body = new BodyBuilder { TextBody = textBody, HtmlBody = htmlBody }.ToMessageBody();
        return message;
    }
}
