using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Luigi.Web.Security;
using Luigi.Web.Tests.Auth;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Security;

/// <summary>
/// Behind a reverse proxy, over real HTTP to the host on Kestrel (the test is the proxy, on loopback): with the setting,
/// the sign-in rate limit counts each forwarded client apart and the origin check knows the public origin; without it,
/// or from a proxy that is not trusted, the headers are ignored, so a client cannot pick its own address.
/// </summary>
public sealed class ForwardedHeadersTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Public = "https://luigi.example.com";

    [Fact]
    public async Task SignInLimit_CountsEachForwardedClientApart_WhenTheProxyIsTrusted()
    {
        await using var host = await StartAsync(new() { ["Luigi:Web:ForwardedHeaders:Enabled"] = "true" });

        Assert.Equal(HttpStatusCode.OK, await SignInAsync(host, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await SignInAsync(host, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(host, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await SignInAsync(host, "198.51.100.23")); // another client behind the same proxy
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "10.20.30.40")] // enabled, but the host is reached from loopback, which is not that proxy
    public async Task SignInLimit_IgnoresForwardedAddresses_WithoutTheSettingOrFromAnUntrustedProxy(bool enabled, string? knownProxy)
    {
        var settings = new Dictionary<string, string> { ["Luigi:Web:ForwardedHeaders:Enabled"] = enabled ? "true" : "false" };
        if (knownProxy is not null)
        {
            settings["Luigi:Web:ForwardedHeaders:KnownProxies:0"] = knownProxy;
        }

        await using var host = await StartAsync(settings);

        Assert.Equal(HttpStatusCode.OK, await SignInAsync(host, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await SignInAsync(host, "203.0.113.8"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(host, "198.51.100.23")); // one budget: the caller's own address
    }

    [Fact]
    public async Task AuditTrail_RecordsTheClientAddress_TheForwardedOneBehindATrustedProxy()
    {
        await using var proxied = await StartAsync(new() { ["Luigi:Web:ForwardedHeaders:Enabled"] = "true" });
        await using var direct = await StartAsync([]);

        var run = await TriggerAndCancelAsync(proxied, "203.0.113.7", "198.51.100.23");
        var audit = await AuditAsync(proxied, run);
        Assert.Equal(["Triggered 203.0.113.7", "Cancelled 198.51.100.23"], audit);

        var unproxied = await TriggerAndCancelAsync(direct, "203.0.113.7", "198.51.100.23"); // the headers are not trusted: the caller's own address
        Assert.Equal(["Triggered 127.0.0.1", "Cancelled 127.0.0.1"], await AuditAsync(direct, unproxied));
    }

    private static async Task<Guid> TriggerAndCancelAsync(DashboardHost host, string triggeredFrom, string cancelledFrom)
    {
        using var trigger = host.CreateClient();
        trigger.DefaultRequestHeaders.Add("X-Forwarded-For", triggeredFrom);
        using var accepted = await trigger.PostAsJsonAsync("/api/pipelines/ComplexExample/runs", new { parameters = new { delayMs = "60000" } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var run = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var cancel = host.CreateClient();
        cancel.DefaultRequestHeaders.Add("X-Forwarded-For", cancelledFrom);
        using var cancelled = await cancel.PostAsync($"/api/runs/{run}/cancel", null);
        Assert.True(cancelled.IsSuccessStatusCode, $"cancel answered {(int)cancelled.StatusCode}");
        return run;
    }

    private static async Task<string[]> AuditAsync(DashboardHost host, Guid run)
    {
        using var http = host.CreateClient();
        var entries = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{run}/audit");
        return [.. entries.EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("clientAddress").GetString()}")];
    }

    [Fact]
    public async Task OriginCheck_AcceptsThePublicOrigin_ForwardedByTheProxy()
    {
        await using var direct = await StartAsync([]);
        await using var proxied = await StartAsync(new() { ["Luigi:Web:ForwardedHeaders:Enabled"] = "true" });

        Assert.Equal(HttpStatusCode.Forbidden, await CancelFromPublicOriginAsync(direct));
        Assert.Equal(HttpStatusCode.NotFound, await CancelFromPublicOriginAsync(proxied)); // past the origin check: no such run
    }

    [Fact]
    public void Settings_NameTheMalformedValue()
    {
        var options = new WebSecurityOptions
        {
            ForwardedHeaders = { Enabled = true, KnownProxies = ["10.0.0.300"], KnownNetworks = ["172.16.0.0/12", "not a network"] },
        };

        var errors = options.Errors();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Luigi:Web:ForwardedHeaders:KnownProxies:0 is '10.0.0.300'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Luigi:Web:ForwardedHeaders:KnownNetworks:1 is 'not a network'", StringComparison.Ordinal));
    }

    private Task<DashboardHost> StartAsync(Dictionary<string, string> settings)
    {
        settings["Luigi:Auth:SignInAttemptsPerMinute"] = "2";
        return DashboardHost.StartAsync(postgres, settings);
    }

    private static async Task<HttpStatusCode> SignInAsync(DashboardHost host, string client)
    {
        var http = host.CreateClient();
        http.DefaultRequestHeaders.Authorization = null;
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        return (await SignInForm.SignInAsync(http, "nobody", "a wrong guess")).Response.StatusCode;
    }

    private static async Task<HttpStatusCode> CancelFromPublicOriginAsync(DashboardHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{Guid.NewGuid()}/cancel");
        request.Headers.Add("Origin", Public);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "luigi.example.com");
        using var response = await host.CreateClient().SendAsync(request);
        return response.StatusCode;
    }
}
