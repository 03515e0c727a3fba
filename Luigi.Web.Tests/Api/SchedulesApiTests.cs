using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Luigi.Engine.Execution;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Auth;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Api;

/// <summary>The schedules and backfills API on the real host (PostgreSQL): what Operators make, what everyone reads, what is refused.</summary>
public sealed class SchedulesApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Schedule_IsMadeChangedPausedResumedAndDeletedByAnOperator_ReadByAViewer_AndAudited()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var operatorClient = await host.WithTokenAsync("otto", LuigiRoles.Operator);
        var viewer = await host.WithTokenAsync("vera", LuigiRoles.Viewer);

        var created = await operatorClient.PostAsync("/api/schedules", Json("""
            {"name": "nightly-sales", "pipeline": "DailySales", "cron": "30 2 * * *", "timeZone": "Europe/Berlin",
             "parameters": {"days": 3}, "fireTimeParameter": "end", "fireTimeOffset": "-1d", "catchUp": "All", "catchUpLimit": 5}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/schedules/nightly-sales", created.Headers.Location!.OriginalString);

        var list = await viewer.GetFromJsonAsync<JsonElement>("/api/schedules");
        var listed = list.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "nightly-sales");
        Assert.Equal("DailySales", listed.GetProperty("pipeline").GetString());
        Assert.Equal("30 2 * * *", listed.GetProperty("cron").GetString());
        Assert.Equal("Europe/Berlin", listed.GetProperty("timeZone").GetString());
        Assert.Equal("3", listed.GetProperty("parameters").GetProperty("days").GetString());
        Assert.False(listed.GetProperty("paused").GetBoolean());
        Assert.EndsWith("Z", listed.GetProperty("nextFireAt").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("lastRun").ValueKind);
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("name").GetString() == "daily-sales" && s.GetProperty("declaredInCode").GetBoolean());

        var detail = await viewer.GetFromJsonAsync<JsonElement>("/api/schedules/nightly-sales");
        var next = detail.GetProperty("nextFireTimes").EnumerateArray().Select(t => DateTimeOffset.Parse(t.GetString()!)).ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next, t => Assert.Equal(new TimeOnly(2, 30), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).DateTime)));
        Assert.Equal(next[0], DateTimeOffset.Parse(detail.GetProperty("nextFireAt").GetString()!));

        var updated = await operatorClient.PutAsync("/api/schedules/nightly-sales", Json("""{"pipeline": "DailySales", "cron": "0 5 * * 1-5", "timeZone": "UTC"}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("0 5 * * 1-5", (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cron").GetString());

        var paused = await (await operatorClient.PostAsync("/api/schedules/nightly-sales/pause", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, paused.GetProperty("nextFireAt").ValueKind);
        var editedWhilePaused = await operatorClient.PutAsync("/api/schedules/nightly-sales", Json("""{"pipeline": "DailySales", "cron": "0 4 * * *"}"""));
        Assert.True((await editedWhilePaused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paused").GetBoolean());
        var resumed = await (await operatorClient.PostAsync("/api/schedules/nightly-sales/resume", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(resumed.GetProperty("paused").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync("/api/schedules/nightly-sales")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/schedules/nightly-sales")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync("/api/schedules/nightly-sales/pause", null)).StatusCode);

        var trail = (await viewer.GetFromJsonAsync<JsonElement>("/api/schedules/nightly-sales/audit")).EnumerateArray().ToList();
        Assert.Equal(["ScheduleCreated", "ScheduleUpdated", "SchedulePaused", "ScheduleUpdated", "ScheduleResumed", "ScheduleDeleted"],
            trail.Select(e => e.GetProperty("action").GetString()));
        Assert.All(trail, e => Assert.Equal(("otto", "Api"), (e.GetProperty("actor").GetString(), e.GetProperty("via").GetString())));
    }

    public static TheoryData<string, string, string> BadSchedules => new()
    {
        { "bad cron", """{"name": "s", "pipeline": "DailySales", "cron": "61 * * * *"}""", "cron" },
        { "no cron", """{"name": "s", "pipeline": "DailySales"}""", "cron" },
        { "unknown time zone", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "timeZone": "Mars/Olympus"}""", "timeZone" },
        { "unknown pipeline", """{"name": "s", "pipeline": "NoSuchPipeline", "cron": "0 6 * * *"}""", "pipeline" },
        { "bad parameter", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "parameters": {"days": 9999}}""", "parameters.days" },
        { "unknown parameter", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "parameters": {"speed": 1}}""", "parameters.speed" },
        { "path leaving the data root", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "parameters": {"dataDir": "../x"}}""", "parameters.dataDir" },
        { "fire time to a number", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "fireTimeParameter": "days"}""", "fireTimeParameter" },
        { "fire time to nothing", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "fireTimeParameter": "when"}""", "fireTimeParameter" },
        { "bad offset", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "fireTimeParameter": "end", "fireTimeOffset": "yesterday"}""", "fireTimeOffset" },
        { "bad name", """{"name": "a b/c", "pipeline": "DailySales", "cron": "0 6 * * *"}""", "name" },
        { "catch-up limit", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "catchUp": "All", "catchUpLimit": 0}""", "catchUpLimit" },
        { "catch-up policy", """{"name": "s", "pipeline": "DailySales", "cron": "0 6 * * *", "catchUp": "Sometimes"}""", "catchUp" },
    };

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public async Task CreateSchedule_RefusesBadInput_WithAProblemNamingTheField_AndStoresNothing(string name, string body, string field)
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var client = await host.WithTokenAsync("otto", LuigiRoles.Operator);

        var response = await client.PostAsync("/api/schedules", Json(body));

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{name}: {response.StatusCode}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{name}: {problem}");
        var schedules = await client.GetFromJsonAsync<JsonElement>("/api/schedules");
        Assert.Equal(["daily-sales"], schedules.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task UpdateSchedule_WithABadCron_IsRefused_AndTheScheduleStaysAsItWas()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var client = await host.WithTokenAsync("otto", LuigiRoles.Operator);

        var response = await client.PutAsync("/api/schedules/daily-sales", Json("""{"pipeline": "DailySales", "cron": "0 25 * * *"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("0 6 * * *", (await client.GetFromJsonAsync<JsonElement>("/api/schedules/daily-sales")).GetProperty("cron").GetString());
    }

    [Fact]
    public async Task CreateSchedule_WithATakenName_IsAConflict()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var client = await host.WithTokenAsync("otto", LuigiRoles.Operator);

        var response = await client.PostAsync("/api/schedules", Json("""{"name": "daily-sales", "pipeline": "Sequence", "cron": "0 6 * * *"}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Backfill_IsAcceptedWithItsDates_AndBadInputIsRefusedNamingTheField()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var client = await host.WithTokenAsync("otto", LuigiRoles.Operator);

        var accepted = await client.PostAsync("/api/pipelines/DailySales/backfills", Json("""{"from": "2026-11-01", "to": "2026-11-30", "parameters": {"days": 1}, "maxConcurrentRuns": 2}"""));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var url = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
        var detail = await client.GetFromJsonAsync<JsonElement>(url);
        Assert.Equal(30, detail.GetProperty("dates").GetArrayLength());
        Assert.Equal("end", detail.GetProperty("backfill").GetProperty("dateParameter").GetString());
        Assert.Equal(30, detail.GetProperty("backfill").GetProperty("progress").GetProperty("dates").GetInt32());

        foreach (var (body, field) in new[]
        {
            ("""{"from": "2026-11-30", "to": "2026-11-01"}""", "to"),
            ("""{"to": "2026-11-01"}""", "from"),
            ("""{"from": "2026-11-01", "to": "2026-11-02", "parameters": {"days": 0}}""", "parameters.days"),
            ("""{"from": "2026-11-01", "to": "2026-11-02", "maxConcurrentRuns": 1000}""", "maxConcurrentRuns"),
            ("""{"from": "1999-12-31", "to": "2000-01-02"}""", "from"),
            ("""{"from": "not a date", "to": "2026-11-02"}""", "from"),
        })
        {
            var refused = await client.PostAsync("/api/pipelines/DailySales/backfills", Json(body));
            Assert.True(HttpStatusCode.BadRequest == refused.StatusCode, $"{body}: {refused.StatusCode}");
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{body}: {problem}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/pipelines/NoSuch/backfills", Json("""{"from": "2026-11-01", "to": "2026-11-02"}"""))).StatusCode);
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/backfills")).EnumerateArray());
    }

    [Fact]
    public async Task TheHostsTicker_RunsASchedule_AndItsLastRunShowsOnTheSchedule()
    {
        await using var host = await AccessHost.StartAsync(postgres, new Dictionary<string, string>
        {
            ["Luigi:Schedules:Enabled"] = "true", ["Luigi:Schedules:PollInterval"] = "00:00:00.200",
        });
        var client = await host.WithTokenAsync("otto", LuigiRoles.Operator);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/schedules", Json("""
            {"name": "every-second", "pipeline": "Sequence", "cron": "* * * * * *", "parameters": {"delayMs": 0}}
            """))).StatusCode);

        var done = await Eventually.Async(
            () => client.GetFromJsonAsync<JsonElement>("/api/schedules/every-second"),
            s => s.GetProperty("lastRun").ValueKind == JsonValueKind.Object && s.GetProperty("lastRun").GetProperty("state").GetString() == "Succeeded");
        await client.PostAsync("/api/schedules/every-second/pause", null);

        var run = await client.GetFromJsonAsync<JsonElement>(done.GetProperty("lastRun").GetProperty("url").GetString()!);
        Assert.Equal("Schedule", run.GetProperty("run").GetProperty("trigger").GetString());
        Assert.Equal("Succeeded", done.GetProperty("lastResult").GetString());
    }
}
