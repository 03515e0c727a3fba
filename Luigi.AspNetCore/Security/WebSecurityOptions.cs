using Microsoft.Extensions.Options;

namespace Luigi.Web.Security;

/// <summary>Settings of the host's browser-facing protections (<c>Luigi:Web</c>), validated when the host starts.</summary>
public sealed class WebSecurityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Luigi:Web";

    /// <summary>
    /// Origins besides the host's own (as the browser sends them, e.g. <c>https://luigi.example.com</c>) whose pages may
    /// open the live hub and the dashboard's circuit: the public origin when a proxy in front changes the scheme or the
    /// host name the host sees. Empty by default: only the host's own origin.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Reading the client's address, scheme and host from a reverse proxy's headers (off by default).</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>What is wrong with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        for (var i = 0; i < AllowedOrigins.Count; i++)
        {
            if (OriginCheck.ParseOrigin(AllowedOrigins[i]) is null)
            {
                errors.Add($"{Section}:AllowedOrigins:{i} is '{AllowedOrigins[i]}': an origin is a scheme (http or https), a host and an optional port, such as https://luigi.example.com, with no path.");
            }
        }

        errors.AddRange(ForwardedHeaders.Errors($"{Section}:ForwardedHeaders"));
        return errors;
    }

    /// <summary>Throws when the settings are not usable.</summary>
    /// <exception cref="OptionsValidationException">An origin is malformed; the message names it.</exception>
    public void Validate()
    {
        var errors = Errors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WebSecurityOptions), errors);
        }
    }
}
