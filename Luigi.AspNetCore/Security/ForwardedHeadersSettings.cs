using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Luigi.Web.Security;

/// <summary>
/// Behind a reverse proxy (<c>Luigi:Web:ForwardedHeaders</c>): take the client's address, the scheme and the host from
/// the proxy's <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c>, so that the sign-in rate
/// limit counts each client apart, logs name the client, and the origin check knows the public origin. Only headers
/// set by a trusted proxy are believed: anyone can send them, so a client talking to the host directly must not be able
/// to pick its own address.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Read the forwarded headers. Off by default: a host reached directly must ignore them.</summary>
    public bool Enabled { get; set; }

    /// <summary>Addresses of the trusted proxies (e.g. <c>10.0.0.5</c>). With neither this nor <see cref="KnownNetworks"/>,
    /// only a proxy on the same machine (loopback) is trusted.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (e.g. <c>172.16.0.0/12</c>, Docker's default bridge networks).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row to read back through (the last ones of <c>X-Forwarded-For</c>); 1 by default.</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>What is wrong with these settings, each naming the setting; empty when they are usable.</summary>
    public IEnumerable<string> Errors(string section)
    {
        for (var i = 0; i < KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i], out _))
            {
                yield return $"{section}:KnownProxies:{i} is '{KnownProxies[i]}': give an IP address, such as 10.0.0.5.";
            }
        }

        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(KnownNetworks[i], out _))
            {
                yield return $"{section}:KnownNetworks:{i} is '{KnownNetworks[i]}': give a network in CIDR notation, such as 172.16.0.0/12.";
            }
        }

        if (ForwardLimit < 1)
        {
            yield return $"{section}:ForwardLimit is {ForwardLimit}: it must be 1 or more.";
        }
    }

    /// <summary>ASP.NET Core's options for these settings: the listed proxies and networks replace the loopback default.</summary>
    public ForwardedHeadersOptions ToOptions()
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            ForwardLimit = ForwardLimit,
        };
        if (KnownProxies.Count > 0 || KnownNetworks.Count > 0)
        {
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        }

        return options;
    }
}
