using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Luigi.Web.Live;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The provider's access tokens as bearer tokens on the real host (Kestrel, PostgreSQL), sent by plain HTTP clients:
/// the role comes from the token's roles (by name or through the role map, else the default role), a token without one
/// is refused (403), and forged, expired or misaddressed tokens are not accepted at all (401). The live hub takes them
/// in the <c>access_token</c> query parameter and the Authorization header, and refuses a Viewer's cancel.
/// </summary>
public sealed class OidcBearerTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task OperatorToken_TriggersARun_RequestedByTheTokensName()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres);
        using var http = new HttpClient { BaseAddress = new Uri(oidc.BaseUrl) };
        var token = oidc.Idp.IssueAccessToken("olga", OidcTestHost.Audience);

        using var trigger = await SendAsync(http, HttpMethod.Post, "/api/pipelines/Sequence/runs", token, new { parameters = new { delayMs = 0 } });

        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var url = (await trigger.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("url").GetString()!;
        using var run = await SendAsync(http, HttpMethod.Get, url, token);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var detail = await run.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.Equal("Olga Operator", detail.GetProperty("run").GetProperty("requestedBy").GetString());
    }

    [Fact]
    public async Task ViewerToken_Reads_ButCannotAct_MappedGroupActs_NoRoleIsForbidden()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres);
        using var http = new HttpClient { BaseAddress = new Uri(oidc.BaseUrl) };
        var viewer = oidc.Idp.IssueAccessToken("vic", OidcTestHost.Audience);
        var grouped = oidc.Idp.IssueAccessToken("gus", OidcTestHost.Audience);
        var nobody = oidc.Idp.IssueAccessToken("nora", OidcTestHost.Audience);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Get, "/api/pipelines", viewer));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, HttpMethod.Post, "/api/pipelines/Sequence/runs", viewer, new { parameters = new { } }));

        Assert.Equal(HttpStatusCode.Accepted, await StatusAsync(http, HttpMethod.Post, "/api/pipelines/Sequence/runs", grouped, new { parameters = new { delayMs = 0 } }));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, HttpMethod.Get, "/api/pipelines", nobody));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, HttpMethod.Post, "/api/pipelines/Sequence/runs", nobody, new { parameters = new { } }));

        // Only the Operator's run exists: the refused trigger did nothing.
        using var runs = await SendAsync(http, HttpMethod.Get, "/api/runs", viewer);
        var list = await runs.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.Equal(["Gus Grouped"], list.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("requestedBy").GetString()));
    }

    [Fact]
    public async Task DefaultRole_GivesATokenWithoutRolesThatRole()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres, settings: new Dictionary<string, string> { ["DefaultRole"] = "Viewer" });
        using var http = new HttpClient { BaseAddress = new Uri(oidc.BaseUrl) };
        var nobody = oidc.Idp.IssueAccessToken("nora", OidcTestHost.Audience);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Get, "/api/pipelines", nobody));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, HttpMethod.Post, "/api/pipelines/Sequence/runs", nobody, new { parameters = new { } }));
    }

    [Fact]
    public async Task ForgedExpiredMisissuedOrMisaddressedTokens_AreUnauthorized()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres);
        using var http = new HttpClient { BaseAddress = new Uri(oidc.BaseUrl) };
        var idp = oidc.Idp;

        string[] refused =
        [
            idp.IssueAccessToken("olga", OidcTestHost.Audience, signWithForeignKey: true),
            idp.IssueAccessToken("olga", OidcTestHost.Audience, lifetime: TimeSpan.FromMinutes(-10)), // beyond the 5 minutes' clock skew
            idp.IssueAccessToken("olga", "another-api"),
            idp.IssueAccessToken("olga", OidcTestHost.Audience, issuer: idp.Authority + "/"), // the issuer must match exactly
            "not-a-jwt",
        ];
        foreach (var token in refused)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Get, "/api/pipelines", token));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, HttpMethod.Post, "/api/pipelines/Sequence/runs", token, new { parameters = new { } }));
        }

        using var anonymous = await http.GetAsync("/api/pipelines");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, HttpMethod.Get, "/api/pipelines", idp.IssueAccessToken("olga", OidcTestHost.Audience)));
    }

    [Fact]
    public async Task LiveHub_ViewerToken_Connects_InTheQueryOrTheHeader_AndCannotCancel()
    {
        await using var oidc = await OidcTestHost.StartAsync(postgres);
        var viewer = oidc.Idp.IssueAccessToken("vic", OidcTestHost.Audience);

        // A WebSocket straight away, the token in the query as a browser must send it.
        await using var query = new HubConnectionBuilder()
            .WithUrl($"{oidc.BaseUrl}{LiveHub.Path}?access_token={Uri.EscapeDataString(viewer)}", o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        // The .NET client's own way: negotiate and the WebSocket with the token from AccessTokenProvider.
        await using var provider = new HubConnectionBuilder()
            .WithUrl($"{oidc.BaseUrl}{LiveHub.Path}", o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>(viewer);
            })
            .Build();

        foreach (var connection in new[] { query, provider })
        {
            await connection.StartAsync();
            Assert.Equal(HubConnectionState.Connected, connection.State);
            await connection.InvokeAsync("WatchRuns");
            var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<object>("CancelRun", Guid.NewGuid()));
            Assert.Contains("unauthorized", refused.Message, StringComparison.OrdinalIgnoreCase);
        }

        // A forged token gets no connection.
        await using var forged = new HubConnectionBuilder()
            .WithUrl($"{oidc.BaseUrl}{LiveHub.Path}?access_token={Uri.EscapeDataString(oidc.Idp.IssueAccessToken("olga", OidcTestHost.Audience, signWithForeignKey: true))}", o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        await Assert.ThrowsAnyAsync<Exception>(() => forged.StartAsync());
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string url, string token, object? body = null)
    {
        using var response = await SendAsync(http, method, url, token, body);
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return http.SendAsync(request);
    }
}
