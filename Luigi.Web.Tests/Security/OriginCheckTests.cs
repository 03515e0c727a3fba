using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Security;

/// <summary>
/// The live hub, the dashboard's circuit endpoint and the API's actions, over real HTTP and WebSocket connections to
/// the host on Kestrel: a page of another site is refused, the host's own pages, configured origins and programs
/// (no Origin) are not.
/// </summary>
public sealed class OriginCheckTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private const string Foreign = "https://evil.example";
    private const string Proxied = "https://luigi.example.com";
    private static readonly string[] Paths = ["/hubs/live", "/_blazor"];

    private DashboardHost? _host;

    private DashboardHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public async Task InitializeAsync() =>
        _host = await DashboardHost.StartAsync(postgres, new Dictionary<string, string> { ["Luigi:Web:AllowedOrigins:0"] = Proxied });

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Negotiate_FromAnotherSite_IsForbidden()
    {
        foreach (var path in Paths)
        {
            using var response = await NegotiateAsync(path, Foreign);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task Negotiate_FromTheHostsOwnPages_AConfiguredOrigin_OrAProgram_GetsAConnection()
    {
        foreach (var path in Paths)
        {
            foreach (var origin in new[] { null, Host.BaseUrl, Proxied })
            {
                using var response = await NegotiateAsync(path, origin);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.False(string.IsNullOrEmpty(await ConnectionTokenAsync(response)));
            }
        }
    }

    [Fact]
    public async Task WebSocket_FromAnotherSite_IsForbidden_EvenWithAValidConnection()
    {
        foreach (var path in Paths)
        {
            using var negotiated = await NegotiateAsync(path, origin: null);
            var token = await ConnectionTokenAsync(negotiated);

            using var socket = NewSocket(Foreign);
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(SocketUri(path, token), CancellationToken.None));
            Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        }
    }

    [Fact]
    public async Task WebSocket_FromTheHostsOwnPage_CompletesTheHandshake()
    {
        foreach (var path in Paths)
        {
            using var negotiated = await NegotiateAsync(path, Host.BaseUrl);
            var token = await ConnectionTokenAsync(negotiated);

            using var socket = NewSocket(Host.BaseUrl);
            await socket.ConnectAsync(SocketUri(path, token), CancellationToken.None);
            var protocol = path == "/_blazor" ? "blazorpack" : "json";
            await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"protocol\":\"{protocol}\",\"version\":1}}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[1024];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
    }

    [Fact]
    public async Task AnApiAction_FromAnotherSite_IsForbidden_AndDoesNothing()
    {
        var client = Host.CreateClient();
        using var trigger = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/ComplexExample/runs")
        {
            Content = new StringContent("{\"parameters\":{}}", Encoding.UTF8, "application/json"),
        };
        trigger.Headers.Add("Origin", Foreign);
        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{Guid.NewGuid()}/cancel");
        cancel.Headers.Add("Origin", Foreign);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(trigger)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(cancel)).StatusCode);

        using var runs = JsonDocument.Parse(await client.GetStringAsync("/api/runs"));
        Assert.Equal(0, runs.RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AnApiAction_FromAProgram_OrTheHostsOwnPage_IsServed()
    {
        var client = Host.CreateClient();
        using var own = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{Guid.NewGuid()}/cancel");
        own.Headers.Add("Origin", Host.BaseUrl);
        using var program = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{Guid.NewGuid()}/cancel");
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/pipelines");
        read.Headers.Add("Origin", Foreign);

        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(own)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(program)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(read)).StatusCode);
    }

    private async Task<HttpResponseMessage> NegotiateAsync(string path, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Host.BaseUrl}{path}/negotiate?negotiateVersion=1");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await Host.CreateClient().SendAsync(request);
    }

    private static async Task<string> ConnectionTokenAsync(HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("connectionToken").GetString()!;
    }

    private ClientWebSocket NewSocket(string origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        socket.Options.SetRequestHeader("Authorization", $"Bearer {Host.AdminToken}");
        return socket;
    }

    private Uri SocketUri(string path, string token) =>
        new($"{Host.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal)}{path}?id={Uri.EscapeDataString(token)}");
}
