using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Luigi.Engine.Storage;
using Luigi.Web.Dashboard;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.AspNetCore.Mvc;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Api;

/// <summary><c>GET /api/pipelines/{name}/graph</c>, the graph preview the dashboard draws, on the real host.</summary>
public sealed class PipelineGraphApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    private async Task<LuigiWebFactory> StartAsync()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        return new LuigiWebFactory(StoreProvider.Sqlite, store.ConnectionString);
    }

    [Fact]
    public async Task Graph_GivesEveryTaskAndEdge_WithoutRunningAnything()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        var graph = await client.GetFromJsonAsync<PipelineGraph>("/api/pipelines/ComplexExample/graph", Json);

        Assert.Equal(["TaskA", "TaskB", "TaskC", "TaskD", "TaskE", "TaskF", "TaskG"], graph!.Tasks.Select(t => t.TaskId).Order());
        Assert.Equal(6, graph.Edges.Count);
        var id = graph.Tasks.ToDictionary(t => t.Index, t => t.TaskId);
        Assert.Contains(graph.Edges, e => id[e.From] == "TaskF" && id[e.To] == "TaskG");
        Assert.Equal(0, (await client.GetFromJsonAsync<RunPage>("/api/runs", Json))!.Total);
    }

    [Fact]
    public async Task Graph_UsesTheQuerysParameters()
    {
        await using var host = await StartAsync();

        var graph = await host.CreateClient().GetFromJsonAsync<PipelineGraph>(
            "/api/pipelines/DailySales/graph?end=2026-11-20&days=2&dataDir=graph-test/sales", Json);

        Assert.Contains(graph!.Tasks, t => t.TaskId.Contains("2026-11-19"));
        Assert.Contains(graph.Tasks, t => t.Family == "SalesReport");
        Assert.Equal(5, graph.Tasks.Count);
    }

    [Fact]
    public async Task Graph_WithABadParameter_Is400NamingIt()
    {
        await using var host = await StartAsync();

        var response = await host.CreateClient().GetAsync("/api/pipelines/ComplexExample/graph?delayMs=soon");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(Json);
        Assert.Contains("delayMs", problem!.Errors.Keys);
    }

    [Fact]
    public async Task Graph_OfAnUnknownPipeline_Is404()
    {
        await using var host = await StartAsync();

        var response = await host.CreateClient().GetAsync("/api/pipelines/Nope/graph");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
