using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Luigi.Engine.Storage;
using Luigi.Web.Api;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Api;

/// <summary>
/// Bad input, as a careless user or an attacker sends it, against the real host on PostgreSQL: every case is refused
/// with the status it deserves and a problem detail naming the field, nothing is stored, and the host answers its
/// health check afterwards.
/// </summary>
public sealed class BadInputApiTests(BadInputApiTests.Host host) : IClassFixture<BadInputApiTests.Host>
{
    private static readonly string LongPath = string.Join('/', Enumerable.Repeat("abcd", 1_000));

    /// <summary>One refused request: what is sent, the status, the field the problem names and words it says.</summary>
    public sealed record Case(string Name, HttpMethod Method, string Path, byte[]? Body, HttpStatusCode Status, string Field, string Says, string ContentType = "application/json")
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        Trigger("path with ..", "DailySales", """{"parameters": {"dataDir": "../../../../tmp/x"}}""", "dataDir", "'..' would leave the data root"),
        Trigger("path with .. and backslashes", "DailySales", """{"parameters": {"dataDir": "..\\..\\tmp\\x"}}""", "dataDir", "'..' would leave the data root"),
        Trigger("absolute path", "DailySales", """{"parameters": {"dataDir": "/tmp/x"}}""", "dataDir", "it is absolute"),
        Trigger("absolute Windows path", "DailySales", """{"parameters": {"dataDir": "C:\\temp\\x"}}""", "dataDir", "it is absolute"),
        Trigger("empty path", "DailySales", """{"parameters": {"dataDir": ""}}""", "dataDir", "it is empty"),
        Trigger("5,000-character path", "DailySales", $$$"""{"parameters": {"dataDir": "{{{LongPath}}}"}}""", "dataDir", "at most 200 characters"),
        Trigger("date out of range", "DailySales", """{"parameters": {"end": "0001-01-01"}}""", "end", "from 2000-01-01 to 2099-12-31"),
        Trigger("negative delay", "Sequence", """{"parameters": {"delayMs": -1}}""", "delayMs", "must be from 0 to 600000; got -1"),
        Trigger("endless failures", "Sequence", """{"parameters": {"failTimes": 2147483647, "retries": 2147483647, "retryDelay": "0s"}}""", "failTimes", "from 0 to 100"),
        Trigger("endless retries", "Sequence", """{"parameters": {"failTimes": 1, "retries": 2147483647}}""", "retries", "from 0 to 20"),
        Trigger("duration past TimeSpan", "Sequence", """{"parameters": {"retryDelay": "99999999d"}}""", "retryDelay", "longer than the longest duration"),
        Trigger("number past double", "Sequence", """{"parameters": {"delayMs": 1e999}}""", "delayMs", "expects a whole number"),
        Trigger("number past int", "Sequence", """{"parameters": {"delayMs": 99999999999}}""", "delayMs", "expects a whole number"),
        Trigger("long text", "Sequence", $$$"""{"parameters": {"failTask": "{{{new string('x', 5_000)}}}"}}""", "failTask", "at most 5 characters long; got 5000"),
        Trigger("lone surrogate", "Sequence", """{"parameters": {"failTask": "\ud800"}}""", "failTask", "not valid text"),
        Trigger("lone surrogate in a name", "Sequence", """{"parameters": {"\ud800": "x"}}""", "parameters", "could not be converted"),
        new("invalid UTF-8", HttpMethod.Post, "/api/pipelines/Sequence/runs",
            [.. "{\"parameters\": {\"failTask\": \""u8, 0xFF, 0xFE, .. "\"}}"u8], HttpStatusCode.BadRequest, "failTask", "not valid text"),
        new("invalid UTF-8 in a name", HttpMethod.Post, "/api/pipelines/Sequence/runs",
            [.. "{\"parameters\": {\""u8, 0xC3, .. "\": 1}}"u8], HttpStatusCode.BadRequest, "parameters", "could not be converted"),
        Trigger("invalid JSON", "Sequence", """{"parameters": {"delayMs": """, "parameters.delayMs", "There is an open JSON object or array that should be closed"),
        Trigger("parameters not an object", "Sequence", """{"parameters": 7}""", "parameters", "could not be converted"),
        Trigger("unknown parameter", "Sequence", """{"parameters": {"speed": 3}}""", "speed", "Unknown parameter 'speed'"),
        new("not JSON", HttpMethod.Post, "/api/pipelines/Sequence/runs", "delayMs=1"u8.ToArray(), HttpStatusCode.UnsupportedMediaType, "body",
            "Expected a supported JSON media type (Content-Type: application/json); got 'application/x-www-form-urlencoded'.",
            "application/x-www-form-urlencoded"),
        new("2 MB body", HttpMethod.Post, "/api/pipelines/Sequence/runs",
            Encoding.UTF8.GetBytes($$$"""{"parameters": {"failTask": "{{{new string('x', 2 << 20)}}}"}}"""), HttpStatusCode.RequestEntityTooLarge, "body", "too large"),
        Rerun("scope as a number", """{"scope": 7}""", "scope", "could not be converted"),
        Rerun("unknown scope", """{"scope": "Bogus"}""", "scope", "could not be converted"),
        Rerun("task id too long", $$"""{"scope": "TaskAndDownstream", "taskId": "{{new string('t', 9_000)}}"}""", "taskId", "at most 8192 characters"),
        new("invalid UTF-8 in a task id", HttpMethod.Post, "/api/runs/{run}/rerun",
            [.. "{\"scope\": \"TaskAndDownstream\", \"taskId\": \""u8, 0xFF, .. "\"}"u8], HttpStatusCode.BadRequest, "taskId", "could not be converted"),
        Rerun("lone surrogate in a task id", """{"scope": "TaskAndDownstream", "taskId": "\udc00"}""", "taskId", "could not be converted"),
        Rerun("task not in the run", """{"scope": "TaskAndDownstream", "taskId": "TaskZ"}""", "taskId", "has no task TaskZ"),
        new("re-run of a run id that is no GUID", HttpMethod.Post, "/api/runs/not-a-guid/rerun", "{}"u8.ToArray(), HttpStatusCode.BadRequest, "id", "not-a-guid"),
        Get("run id that is no GUID", "/api/runs/not-a-guid", "id", "not-a-guid"),
        Get("task index that is no number", "/api/runs/{run}/tasks/first", "index", "first"),
        Get("page that is no number", "/api/runs?page=abc", "page", "abc"),
        Get("page past int", "/api/runs?page=99999999999", "page", "99999999999"),
        Get("page zero", "/api/runs?page=0", "page", "page counts from 1"),
        Get("page size too large", "/api/runs?pageSize=100000", "pageSize", "from 1 to 500"),
        Get("unknown state", "/api/runs?state=Bogus", "state", "Bogus"),
        Get("state as a number", "/api/runs?state=99", "state", "state is one of"),
        Get("since that is no date", "/api/runs?since=yesterday", "since", "yesterday"),
        Get("search too long", $"/api/runs?search={new string('s', 300)}", "search", "at most 200 characters"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_Answers4xxProblemNamingTheField_StoresNothing_AndTheHostStaysHealthy(Case bad)
    {
        var client = host.Factory.CreateClient();
        using var request = new HttpRequestMessage(bad.Method, bad.Path.Replace("{run}", host.RunId.ToString(), StringComparison.Ordinal));
        if (bad.Body is not null)
        {
            request.Content = new ByteArrayContent(bad.Body) { Headers = { ContentType = new MediaTypeHeaderValue(bad.ContentType) } };
        }

        using var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(bad.Status == response.StatusCode, $"{bad.Name}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(bad.Field, out var messages), $"{bad.Name}: no error for '{bad.Field}' in {body}");
        Assert.Contains(bad.Says, messages.EnumerateArray().Select(m => m.GetString()).Single(), StringComparison.Ordinal);
        Assert.Equal(1, await host.CountRunsAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task BadTrigger_NamesEveryBadParameterAndItsLimit()
    {
        var response = await host.Factory.CreateClient().PostAsJsonAsync("/api/pipelines/Sequence/runs",
            new { parameters = new { delayMs = -1, failTimes = int.MaxValue, retries = int.MaxValue } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var limits = problem.RootElement.GetProperty("limits");
        Assert.Equal("from 0 to 600000", limits.GetProperty("delayMs").GetString());
        Assert.Equal("from 0 to 100", limits.GetProperty("failTimes").GetString());
        Assert.Equal("from 0 to 20", limits.GetProperty("retries").GetString());
        Assert.Equal(1, await host.CountRunsAsync());
    }

    [Fact]
    public async Task PagingPastTheEnd_GivesAnEmptyPage()
    {
        var client = host.Factory.CreateClient();

        var far = (await client.GetFromJsonAsync<RunPage>("/api/runs?page=2147483647&pageSize=500", ApiJson.Options))!;
        var second = (await client.GetFromJsonAsync<RunPage>("/api/runs?page=2", ApiJson.Options))!;

        Assert.Empty(far.Items);
        Assert.Equal((1, 2147483647), (far.Total, far.Page));
        Assert.Empty(second.Items);
        Assert.Single((await client.GetFromJsonAsync<RunPage>("/api/runs?page=1", ApiJson.Options))!.Items);
        foreach (var extreme in new[] { "since=0001-01-01", "until=9999-12-31T23:59:59.9999999", "since=9999-12-31&until=0001-01-01" })
        {
            var response = await client.GetAsync($"/api/runs?{extreme}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{extreme}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task UnknownRoute_Answers404SayingSo()
    {
        var response = await host.Factory.CreateClient().GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Nothing is at GET /api/nothing-here. The API is described at /openapi/v1.json.", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ViewerTrigger_Answers403SayingWhichRoleItNeeds()
    {
        var client = host.Factory.CreateClient();
        var token = await TestUsers.TokenAsync(host.Factory.Services, "vera", LuigiRoles.Viewer);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Text);

        var response = await client.PostAsJsonAsync("/api/pipelines/Sequence/runs", new { parameters = new { delayMs = 0 } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("This action needs the Operator role or above; 'vera' has the Viewer role.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(1, await host.CountRunsAsync());
    }

    [Fact]
    public async Task RefusedTokens_SayWhetherTheyExpiredOrWereRevoked()
    {
        var expired = await TestUsers.TokenAsync(host.Factory.Services, "olga", LuigiRoles.Operator);
        var revoked = await TestUsers.TokenAsync(host.Factory.Services, "olga", LuigiRoles.Operator);
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var past = DateTime.UtcNow.AddHours(-1);
            await db.ApiTokens.Where(t => t.Id == expired.Token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, past));
            Assert.True(await scope.ServiceProvider.GetRequiredService<ApiTokenService>().RevokeAsync(revoked.Token.Id, "admin"));
        }

        var expiredAnswer = await GetRunsWithAsync(expired.Text);
        var revokedAnswer = await GetRunsWithAsync(revoked.Text);
        var unknownAnswer = await GetRunsWithAsync(ApiTokenFormat.New());

        Assert.Equal(HttpStatusCode.Unauthorized, expiredAnswer.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The token expired at ", expiredAnswer.Headers.WwwAuthenticate.ToString());
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=\"The token was revoked at ", revokedAnswer.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The token is unknown.\"", unknownAnswer.Headers.WwwAuthenticate.ToString());
        using var problem = JsonDocument.Parse(await revokedAnswer.Content.ReadAsStringAsync());
        Assert.StartsWith("The token was revoked at ", problem.RootElement.GetProperty("detail").GetString());
    }

    private async Task<HttpResponseMessage> GetRunsWithAsync(string token)
    {
        var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync("/api/runs");
    }

    private static Case Trigger(string name, string pipeline, string json, string field, string says) =>
        new(name, HttpMethod.Post, $"/api/pipelines/{pipeline}/runs", Encoding.UTF8.GetBytes(json), HttpStatusCode.BadRequest, field, says);

    private static Case Rerun(string name, string json, string field, string says) =>
        new(name, HttpMethod.Post, "/api/runs/{run}/rerun", Encoding.UTF8.GetBytes(json), HttpStatusCode.BadRequest, field, says);

    private static Case Get(string name, string path, string field, string says) =>
        new(name, HttpMethod.Get, path, null, HttpStatusCode.BadRequest, field, says);

    /// <summary>One host on a fresh PostgreSQL database for every case, holding one finished run to re-run.</summary>
    public sealed class Host : IAsyncLifetime
    {
        private readonly PostgresServer _postgres = new();

        public LuigiWebFactory Factory { get; private set; } = default!;

        public Guid RunId { get; private set; }

        public async Task InitializeAsync()
        {
            await _postgres.InitializeAsync();
            Factory = new LuigiWebFactory(StoreProvider.Postgres, await _postgres.CreateDatabaseAsync());
            var response = await Factory.CreateClient().PostAsJsonAsync("/api/pipelines/Sequence/runs", new { parameters = new { delayMs = 0 } });
            RunId = (await response.Content.ReadFromJsonAsync<RunAccepted>(ApiJson.Options))!.Id;
            await Factory.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(RunId).WaitAsync(TimeSpan.FromSeconds(60));
        }

        public async Task<int> CountRunsAsync()
        {
            await using var context = Factory.Services.GetRequiredService<LuigiStore>().CreateDbContext();
            return await context.Runs.CountAsync();
        }

        public async Task DisposeAsync()
        {
            await Factory.DisposeAsync();
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>How the API's JSON reads in tests.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
