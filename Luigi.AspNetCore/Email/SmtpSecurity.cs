namespace Luigi.Web.Email;

/// <summary>How the connection to the SMTP server is secured (<c>Luigi:Email:Security</c>).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain SMTP, as a local relay or Mailpit speaks it.</summary>
    None,

    /// <summary>Connect in plain text, then upgrade with STARTTLS (required; usually port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    Tls,
}
