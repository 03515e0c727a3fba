using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Storage;
using Luigi.Web.Api;
using Luigi.Web.Tests.Components;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Api;

/// <summary>A run's tasks through the API a page at a time, against the real host on a fresh PostgreSQL database.</summary>
public sealed class RunTasksApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task Tasks_ArePagedFilteredAndCounted_AndThePageSizeIsBounded()
    {
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        var run = await TestRuns.SeedWideRunAsync(host.Services.GetRequiredService<LuigiStore>(), 120);
        var client = host.CreateClient();

        var failed = await client.GetFromJsonAsync<TaskPage>($"/api/runs/{run}/tasks?state=Failed", Json);
        var second = await client.GetFromJsonAsync<TaskPage>($"/api/runs/{run}/tasks?family=Load&order=TaskId&descending=true&page=2&pageSize=20", Json);
        var counts = await client.GetFromJsonAsync<RunCounts>($"/api/runs/{run}/counts", Json);
        var tooBig = await client.GetAsync($"/api/runs/{run}/tasks?pageSize={TaskQuery.MaxPageSize + 1}");
        var unknown = await client.GetAsync($"/api/runs/{Guid.NewGuid()}/tasks");

        Assert.Equal(2, failed!.Total);
        Assert.Equal(["Extract(part=00000)", "Extract(part=00001)"], failed.Items.Select(t => t.TaskId));
        Assert.Equal(50, second!.Total);
        Assert.Equal(Enumerable.Range(12, 20).Reverse(), second.Items.Select(t => t.Index)); // Load 51 down to 2, the second 20
        Assert.Equal(120, counts!.ByState.Values.Sum());
        Assert.Equal(50, counts.ByFamily["Load"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Contains("pageSize", (await tooBig.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Run_ComesWholeWhenSmall_AndAPageWithALinkToTheNextWhenAsked()
    {
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        var run = await TestRuns.SeedWideRunAsync(host.Services.GetRequiredService<LuigiStore>(), 120);
        var client = host.CreateClient();

        var whole = await client.GetAsync($"/api/runs/{run}");
        var first = await client.GetAsync($"/api/runs/{run}?pageSize=100");
        var last = await client.GetFromJsonAsync<RunDetail>($"/api/runs/{run}?page=2&pageSize=100", Json);

        var all = (await whole.Content.ReadFromJsonAsync<RunDetail>(Json))!;
        Assert.Equal((120, 120, 50), (all.Tasks.Count, all.TaskTotal, all.Edges.Count));
        Assert.False(whole.Headers.Contains("Link"));
        Assert.Equal($"</api/runs/{run}?page=2&pageSize=100>; rel=\"next\"", Assert.Single(first.Headers.GetValues("Link")));
        var page = (await first.Content.ReadFromJsonAsync<RunDetail>(Json))!;
        Assert.Equal((100, 120, 68), (page.Tasks.Count, page.TaskTotal, page.Counts[TaskState.Done]));
        Assert.Equal(Enumerable.Range(100, 20), last!.Tasks.Select(t => t.Index));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/runs/{run}?page=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/runs/{run}?pageSize={RunTasksApi.MaxRunPageSize + 1}")).StatusCode);
    }

    [Fact]
    public async Task Graph_IsGivenInColumns_WithFamiliesStatesAndBlockersByPosition_AndParametersAsObjects()
    {
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        var store = host.Services.GetRequiredService<LuigiStore>();
        var run = await TestRuns.SeedWideRunAsync(store, 120);
        await using (var context = store.CreateDbContext())
        {
            var task = context.RunTasks.Single(t => t.RunId == run && t.TaskIndex == 60);
            task.Parameters = new() { ["part"] = "00060", ["note"] = "<b>\"quoted\"</b>" };
            await context.SaveChangesAsync();
        }

        var client = host.CreateClient();
        using var graph = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{run}/graph"));
        var root = graph.RootElement;
        string[] Strings(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
        int[] Ints(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

        Assert.Equal(Enumerable.Range(0, 120).Select(TestRuns.WideTaskId), Strings("taskId"));
        var (families, states) = (Strings("families"), Strings("states"));
        Assert.Equal(["Extract", "Load", "Report"], families);
        Assert.Equal(["Extract", "Load", "Report"], Ints("family").Select(f => families[f]).Distinct());
        Assert.Equal(["Failed", "UpstreamFailed", "Done"], Ints("taskState").Select(s => states[s]).Distinct());
        Assert.Equal(Enumerable.Range(0, 120).Select(i => i < 2 ? -1 : i < 42 ? 0 : i < 52 ? 1 : -1), Ints("blockedBy"));
        Assert.Equal((0, 2), (Ints("edges")[0], Ints("edges")[1]));
        Assert.Equal(100, Ints("edges").Length);
        var parameters = root.GetProperty("parameters");
        Assert.Equal(JsonValueKind.Object, parameters[0].ValueKind);
        Assert.Equal("<b>\"quoted\"</b>", parameters[60].GetProperty("note").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{Guid.NewGuid()}/graph")).StatusCode);
    }
}
