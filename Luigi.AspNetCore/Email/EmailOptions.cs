using System.Net.Mail;

namespace Luigi.Web.Email;

/// <summary>
/// Failure e-mail, bound from <c>Luigi:Email</c> and validated when the host starts. The password comes from
/// the environment (<c>Luigi__Email__Password</c>) or user secrets, never from a committed file.
/// </summary>
public sealed class EmailOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Luigi:Email";

    /// <summary>Send e-mail at all. Off by default: nothing is written to the outbox and nothing is sent.</summary>
    public bool Enabled { get; set; }

    /// <summary>The SMTP server.</summary>
    public string? Host { get; set; }

    /// <summary>Its port (25, 587 for STARTTLS, 465 for TLS on connect, 1025 for Mailpit).</summary>
    public int Port { get; set; } = 25;

    /// <summary>How the connection is secured.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.None;

    /// <summary>User to authenticate as; no authentication when empty.</summary>
    public string? User { get; set; }

    /// <summary>Its password; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address, e.g. <c>Luigi &lt;luigi@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>Who hears of every pipeline's failures.</summary>
    public List<string> Recipients { get; set; } = [];

    /// <summary>Extra recipients by pipeline name, e.g. <c>Luigi:Email:PipelineRecipients:DailySales:0</c>.</summary>
    public Dictionary<string, List<string>> PipelineRecipients { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The dashboard's address, for links: <c>{DashboardUrl}/runs/{run}/tasks/{task}</c>.</summary>
    public string? DashboardUrl { get; set; }

    /// <summary>Failures of one run within this window go out as one digest.</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>When a run's end is reported.</summary>
    public SummaryPolicy Summary { get; set; } = SummaryPolicy.OnFailure;

    /// <summary>Log lines of the last attempt quoted in the e-mail.</summary>
    public int LogLines { get; set; } = 20;

    /// <summary>First wait after a failed delivery; doubled after each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between delivery attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the sender looks for due messages when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the store is swept for failures and ends no host has written to the outbox (another host's, or a host that died).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far back the sweep looks.</summary>
    public TimeSpan SweepLookback { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Sent and skipped messages are deleted from the outbox after this time.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A host that claimed a message and did not finish within this time is presumed dead; another host may send it.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time allowed for one SMTP conversation.</summary>
    public TimeSpan SmtpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The recipients of a run of <paramref name="pipeline"/>: everyone's plus the pipeline's own.</summary>
    public IReadOnlyList<string> RecipientsFor(string? pipeline) =>
        Recipients.Concat(pipeline is not null && PipelineRecipients.TryGetValue(pipeline, out var own) ? own : [])
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Throws when the settings cannot work, naming the setting and what to do.</summary>
    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Luigi:Email:Host is empty: name the SMTP server (e.g. mailpit, smtp.example.com).");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"Luigi:Email:Port is {Port}: use a port between 1 and 65535 (25, 587 with StartTls, 465 with Tls).");
        }

        if (!IsAddress(From))
        {
            errors.Add($"Luigi:Email:From is '{From}': give the sender's address, e.g. luigi@example.com.");
        }

        if (!string.IsNullOrEmpty(User) && string.IsNullOrEmpty(Password))
        {
            errors.Add("Luigi:Email:User is set without a password: set Luigi__Email__Password in the environment or user secrets.");
        }

        if (Recipients.Count == 0 && PipelineRecipients.Values.All(list => list.Count == 0))
        {
            errors.Add("Luigi:Email:Recipients is empty: list who is to hear of failures (Luigi__Email__Recipients__0=oncall@example.com), "
                + "or per pipeline in Luigi:Email:PipelineRecipients.");
        }

        foreach (var (setting, address) in Recipients.Select((a, i) => ($"Luigi:Email:Recipients:{i}", a))
                     .Concat(PipelineRecipients.SelectMany(p => p.Value.Select((a, i) => ($"Luigi:Email:PipelineRecipients:{p.Key}:{i}", a)))))
        {
            if (!IsAddress(address))
            {
                errors.Add($"{setting} is '{address}', which is not an e-mail address.");
            }
        }

        if (DashboardUrl is not null && !Uri.TryCreate(DashboardUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Luigi:Email:DashboardUrl is '{DashboardUrl}': give an absolute URL, e.g. https://luigi.example.com.");
        }

        foreach (var (name, value) in new[] { ("BatchWindow", BatchWindow), ("RetryDelay", RetryDelay), ("MaxRetryDelay", MaxRetryDelay),
                     ("PollInterval", PollInterval), ("SweepInterval", SweepInterval), ("SweepLookback", SweepLookback), ("Retention", Retention),
                     ("ClaimTimeout", ClaimTimeout), ("SmtpTimeout", SmtpTimeout) })
        {
            if (value < TimeSpan.Zero || (value == TimeSpan.Zero && name != "BatchWindow"))
            {
                errors.Add($"Luigi:Email:{name} is {value}: it must be positive.");
            }
        }

        if (Retention <= SweepLookback)
        {
            errors.Add($"Luigi:Email:Retention ({Retention}) must be longer than Luigi:Email:SweepLookback ({SweepLookback}), or the sweep would send purged messages again.");
        }

        if (LogLines < 0)
        {
            errors.Add($"Luigi:Email:LogLines is {LogLines}: it must be 0 or more.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid e-mail settings (Luigi:Email): " + string.Join(" ", errors));
        }
    }

    private static bool IsAddress(string? value) => !string.IsNullOrWhiteSpace(value) && MailAddress.TryCreate(value, out _);
}
