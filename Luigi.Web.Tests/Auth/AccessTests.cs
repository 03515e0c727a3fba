using System.Net;
using System.Net.Http.Json;
using System.Text;
using Luigi.Engine;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;
using Luigi.Engine.Schedules;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// Who may do what, on the real host: every route that acts refuses nobody (401) and a Viewer (403) and serves an
/// Operator; reading needs a role; pages send a stranger to the sign-in page.
/// </summary>
public sealed class AccessTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>The routes that act, with the request an Operator makes and what the Operator gets.</summary>
    private static readonly Dictionary<string, (string Body, HttpStatusCode Served)> Actions = new()
    {
        ["POST /api/pipelines/{name}/runs"] = ("{\"parameters\":{\"delayMs\":0}}", HttpStatusCode.Accepted),
        ["POST /api/runs/{id}/rerun"] = ("{\"scope\":\"All\"}", HttpStatusCode.Accepted),
        ["POST /api/runs/{id}/tasks/{index}/rerun"] = ("", HttpStatusCode.Accepted),
        ["POST /api/runs/{id}/cancel"] = ("", HttpStatusCode.Accepted),
        ["POST /api/email/test"] = ("{\"to\":\"ops@example.com\"}", HttpStatusCode.Accepted),
        ["POST /api/schedules"] = ("{\"name\":\"made\",\"pipeline\":\"Sequence\",\"cron\":\"0 6 * * *\"}", HttpStatusCode.Created),
        ["PUT /api/schedules/{schedule}"] = ("{\"pipeline\":\"Sequence\",\"cron\":\"0 7 * * *\"}", HttpStatusCode.OK),
        ["POST /api/schedules/{schedule}/pause"] = ("", HttpStatusCode.OK),
        ["POST /api/schedules/{schedule}/resume"] = ("", HttpStatusCode.OK),
        ["DELETE /api/schedules/{schedule}"] = ("", HttpStatusCode.NoContent),
        ["POST /api/pipelines/{name}/backfills"] = ("{\"from\":\"2026-11-01\",\"to\":\"2026-11-02\"}", HttpStatusCode.Accepted),
    };

    /// <summary>The routes that take a POST from somebody not signed in, and why.</summary>
    private static readonly string[] AnonymousActions =
    [
        "/signin", // the sign-in form itself (antiforgery token, rate limited)
        "/signout", // ends the session it comes with (antiforgery token)
        "/denied", // a page, which takes a POST as every page does, for forms; it has none (400)
    ];

    [Fact]
    public async Task EveryApiRouteThatActs_RefusesNobodyAndAViewer_AndServesAnOperator_AndRefusedRequestsChangeNothing()
    {
        await using var host = await AccessHost.StartAsync(postgres, new Dictionary<string, string>
        {
            ["Luigi:Email:Enabled"] = "true", ["Luigi:Email:Host"] = "127.0.0.1", ["Luigi:Email:Port"] = "1", ["Luigi:Email:From"] = "luigi@example.com",
            ["Luigi:Email:Recipients:0"] = "oncall@example.com",
        });
        var routes = ActingRoutes(host.Services);
        Assert.Equal(Actions.Keys.Order(), routes.Where(r => r.Contains(" /api/", StringComparison.Ordinal)).Order());
        var anonymous = host.Anonymous();
        var viewer = await host.WithTokenAsync("vera", LuigiRoles.Viewer);
        var operatorClient = await host.WithTokenAsync("otto", LuigiRoles.Operator);
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        await host.Services.GetRequiredService<ScheduleStore>().CreateAsync(
            new ScheduleDefinition { Name = "nightly", Pipeline = "Sequence", Cron = "0 2 * * *" }, "admin", RunTrigger.Api);

        foreach (var (action, (body, served)) in Actions)
        {
            var route = action.Split(' ')[1];
            // A run still going, for the cancel; a finished one for the rest.
            var run = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = route.EndsWith("/cancel") ? "600000" : "0" }, RunTrigger.Api));
            if (!route.EndsWith("/cancel"))
            {
                await executor.WaitForRunAsync(run).WaitAsync(Guard);
            }

            var method = new HttpMethod(action.Split(' ')[0]);
            var url = route.Replace("{name}", route.EndsWith("/backfills") ? "DailySales" : "Sequence").Replace("{id}", run.ToString())
                .Replace("{index}", "0").Replace("{schedule}", "nightly");
            var before = await StateAsync(host);

            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(anonymous, method, url, body)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(viewer, method, url, body)).StatusCode);
            Assert.Equal(before, await StateAsync(host));

            var response = await SendAsync(operatorClient, method, url, body);
            Assert.True(served == response.StatusCode, $"{url}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var runs = (await host.Services.GetRequiredService<RunReader>().ListAsync(new RunFilter(PageSize: 100))).Items;
        Assert.Equal(3, runs.Count(r => r.RequestedBy == "otto")); // the trigger and the two re-runs
        Assert.DoesNotContain(runs, r => r.RequestedBy == "vera");
    }

    [Fact]
    public async Task OnlyTheSignInFormAndSignOut_TakeActionsFromNobody()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var open = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => Acts(e) && e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Order();

        Assert.Equal(AnonymousActions.Order(), open);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Anonymous().PostAsync("/denied", new FormUrlEncodedContent([]))).StatusCode);
    }

    [Fact]
    public async Task Reading_NeedsARole_AndAViewerReadsEverything()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var run = await host.Services.GetRequiredService<StoreExecutor>().EnqueueAsync(
            new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "0" }, RunTrigger.Api));
        string[] reads =
        [
            "/api/pipelines", "/api/pipelines/Sequence", "/api/pipelines/Sequence/graph", "/api/runs", $"/api/runs/{run}", $"/api/runs/{run}/audit",
            "/api/email/status", "/openapi/v1.json",
        ];
        var anonymous = host.Anonymous();
        var roleless = await host.WithTokenAsync("nora", role: null);
        var viewer = await host.WithTokenAsync("vera", LuigiRoles.Viewer);

        foreach (var url in reads)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await roleless.GetAsync(url)).StatusCode);
            Assert.True((await viewer.GetAsync(url)).IsSuccessStatusCode, url);
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Pages_SendAStrangerToSignIn_AUserWithoutARoleToDenied_AndServeAViewer()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var anonymous = host.Anonymous();
        var roleless = await host.WithSessionAsync("nora", role: null);
        var viewer = await host.WithSessionAsync("vera", LuigiRoles.Viewer);

        foreach (var page in new[] { "/", "/runs", "/pipelines" })
        {
            var stranger = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, stranger.StatusCode);
            Assert.Equal($"/signin?ReturnUrl={Uri.EscapeDataString(page)}", stranger.Headers.Location!.PathAndQuery);

            var denied = await roleless.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.Equal("/denied", denied.Headers.Location!.AbsolutePath);

            Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(page)).StatusCode);
        }

        Assert.Contains("nora", await (await roleless.GetAsync("/denied")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/hubs/live/negotiate?negotiateVersion=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task AnonymousViewers_WhenAllowed_ReadAndSeePages_ButCannotAct()
    {
        await using var host = await AccessHost.StartAsync(postgres, new Dictionary<string, string> { ["Luigi:Auth:AllowAnonymousViewers"] = "true" });
        var anonymous = host.Anonymous();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(anonymous, "/api/pipelines/Sequence/runs", "{}")).StatusCode);
        Assert.Equal(0, (await host.Services.GetRequiredService<RunReader>().ListAsync(new RunFilter())).Total);
    }

    [Fact]
    public async Task ARevokedToken_IsRefusedFromTheNextRequestOn()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var token = await TestUsers.TokenAsync(host.Services, "otto", LuigiRoles.Operator);
        var client = host.WithToken(token.Text);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ApiTokenService>().RevokeAsync(token.Token.Id, "admin"));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, "/api/pipelines/Sequence/runs", "{}")).StatusCode);
    }

    [Fact]
    public async Task ATokenActsWithItsOwnersCurrentRole()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var client = await host.WithTokenAsync("otto", LuigiRoles.Operator);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "/api/pipelines/Sequence/runs", "{\"parameters\":{\"delayMs\":0}}")).StatusCode);

        await TestUsers.EnsureAsync(host.Services, "otto", LuigiRoles.Viewer);

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(client, "/api/pipelines/Sequence/runs", "{\"parameters\":{\"delayMs\":0}}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);
    }

    [Fact]
    public async Task AMalformedUnknownOrExpiredToken_IsRefused()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var user = await TestUsers.EnsureAsync(host.Services, "otto", LuigiRoles.Operator);
        await using var scope = host.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
        var expiring = await tokens.CreateAsync(user.Id, "soon", DateTime.UtcNow.AddHours(1));
        var expiringClient = host.WithToken(expiring.Text);
        Assert.Equal(HttpStatusCode.OK, (await expiringClient.GetAsync("/api/runs")).StatusCode);

        foreach (var text in new[] { "lgt_short", ApiTokenFormat.New(), "not-a-token" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.WithToken(text).GetAsync("/api/runs")).StatusCode);
        }

        // Its hour passes: the token's expiry is now behind the host's clock.
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var stored = await db.ApiTokens.SingleAsync(t => t.Id == expiring.Token.Id);
        stored.ExpiresAt = DateTime.UtcNow.AddSeconds(-1);
        await db.SaveChangesAsync();
        await Eventually.Async(async () => (await expiringClient.GetAsync("/api/runs")).StatusCode, s => s == HttpStatusCode.Unauthorized);
    }

    private static bool Acts(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Any(m => m is not ("GET" or "HEAD" or "OPTIONS")) == true;

    private static List<string> ActingRoutes(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Where(Acts)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Select(r => r.Replace("{name}/pause", "{schedule}/pause").Replace("{name}/resume", "{schedule}/resume")
                .Replace("schedules/{name}", "schedules/{schedule}"))
            .Distinct()];

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string body) =>
        client.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string body) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

    /// <summary>What acting would change: how many runs there are, which are cancelled, and how many e-mails wait.</summary>
    private static async Task<string> StateAsync(AccessHost host)
    {
        var runs = await host.Services.GetRequiredService<RunReader>().ListAsync(new RunFilter(PageSize: 500));
        var cancelled = runs.Items.Where(r => r.State is RunState.Cancelling or RunState.Cancelled).Select(r => r.Id).Order();
        var email = await host.Services.GetRequiredService<Luigi.Web.Email.EmailStatusService>().GetStatusAsync(CancellationToken.None);
        var schedules = (await host.Services.GetRequiredService<ScheduleStore>().ListAsync()).Select(s => $"{s.Name} {s.Cron} {s.Paused}");
        var backfills = (await host.Services.GetRequiredService<Backfills>().ListAsync()).Count;
        return $"{runs.Total} runs; cancelled: {string.Join(",", cancelled)}; {email.Pending} e-mails waiting; schedules: {string.Join(",", schedules)}; {backfills} backfills";
    }
}
