using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Api;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Api;

/// <summary>The HTTP API's contract, against the real host on a fresh PostgreSQL database per test.</summary>
public sealed class ApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ListPipelines_GivesEachParameterSchema()
    {
        await using var host = await StartAsync();

        var pipelines = await host.CreateClient().GetFromJsonAsync<List<PipelineDto>>("/api/pipelines", Json);

        var complex = Assert.Single(pipelines!, p => p.Name == "ComplexExample");
        var delay = Assert.Single(complex.Parameters, p => p.Name == "delayMs");
        Assert.Equal((Engine.Parameters.ParameterKind.Integer, "500", false), (delay.Kind, delay.Default, delay.Required));
        var end = Assert.Single(Assert.Single(pipelines!, p => p.Name == "DailySales").Parameters, p => p.Name == "end");
        Assert.Equal(Engine.Parameters.ParameterKind.Date, end.Kind);
    }

    [Fact]
    public async Task Trigger_Answers202WithTheRunUrl_AndTheRunCanBeFollowedToTheEnd()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        var response = await client.PostAsJsonAsync("/api/pipelines/ComplexExample/runs",
            new { parameters = new { delayMs = 0, failTask = "TaskE", failTimes = 9, retries = 0 } });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;
        Assert.Equal($"/api/runs/{accepted.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(RunState.Failed, await WaitAsync(host, accepted.Id));
        var run = (await client.GetFromJsonAsync<RunDetail>(accepted.Url, Json))!;
        Assert.Equal((RunTrigger.Api, "ComplexExample", "TaskE"), (run.Run.Trigger, run.Run.Pipeline, run.Parameters["failTask"]));
        Assert.Equal(7, run.Tasks.Count);
        Assert.Equal(6, run.Edges.Count);
        Assert.Equal(5, run.Counts[TaskState.Done]);
        var taskE = Assert.Single(run.Tasks, t => t.TaskId == "TaskE");
        Assert.Equal(TaskState.Failed, taskE.State);
        Assert.Equal(TaskState.Failed, Assert.Single(taskE.Attempts).Outcome);
        var taskG = Assert.Single(run.Tasks, t => t.TaskId == "TaskG");
        Assert.Equal((TaskState.UpstreamFailed, "TaskE"), (taskG.State, taskG.BlockedBy));
        Assert.Contains(run.Edges, e => e.From == taskE.Index && e.To == taskG.Index);

        var detail = (await client.GetFromJsonAsync<TaskDetail>($"{accepted.Url}/tasks/{taskE.Index}", Json))!;
        Assert.Contains("TaskE failed on purpose", detail.Error);
        Assert.Equal("TaskE starts working for 0 ms (attempt 1).", Assert.Single(detail.Attempts).Log![0].Message);

        var summary = (await client.GetFromJsonAsync<RunListItem>($"{accepted.Url}/summary", Json))!;
        Assert.Equal((accepted.Id, RunState.Failed, 7), (summary.Id, summary.State, summary.TaskCount));

        var list = (await client.GetFromJsonAsync<RunPage>("/api/runs?pipeline=ComplexExample&state=Failed", Json))!;
        Assert.Equal(accepted.Id, Assert.Single(list.Items).Id);
        Assert.Empty((await client.GetFromJsonAsync<RunPage>("/api/runs?state=Succeeded", Json))!.Items);
    }

    [Fact]
    public async Task Trigger_Answers400NamingEachBadParameter_AndWritesNothing()
    {
        await using var host = await StartAsync();

        var response = await host.CreateClient().PostAsJsonAsync("/api/pipelines/DailySales/runs",
            new { parameters = new { end = "yesterday", speed = 3, days = 2 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(Json))!;
        Assert.Contains("expects a date like 2026-11-26", Assert.Single(problem.Errors["end"]));
        Assert.Contains("Unknown parameter 'speed'", Assert.Single(problem.Errors["speed"]));
        Assert.False(problem.Errors.ContainsKey("days"));
        Assert.Equal(0, await CountRunsAsync(host));
    }

    [Fact]
    public async Task UnknownPipelineRunOrTask_Answers404ProblemDetails_AndWritesNothing()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        var trigger = await client.PostAsJsonAsync("/api/pipelines/NoSuchPipeline/runs", new { });
        var run = await client.GetAsync($"/api/runs/{Guid.NewGuid()}");
        var summary = await client.GetAsync($"/api/runs/{Guid.NewGuid()}/summary");
        var cancel = await client.PostAsync($"/api/runs/{Guid.NewGuid()}/cancel", null);
        var rerun = await client.PostAsJsonAsync($"/api/runs/{Guid.NewGuid()}/rerun", new { scope = "All" });

        foreach (var response in new[] { trigger, run, summary, cancel, rerun })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        var problem = (await trigger.Content.ReadFromJsonAsync<ProblemDetails>(Json))!;
        Assert.Equal("Unknown pipeline", problem.Title);
        Assert.Contains("Known pipelines: ComplexExample, DailySales, ParallelJoin, Sequence", problem.Detail);
        Assert.Equal(0, await CountRunsAsync(host));
    }

    [Fact]
    public async Task Cancel_Answers409_WhenTheRunHasFinished()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var accepted = await TriggerAsync(client, "Sequence", new { delayMs = 0 });
        Assert.Equal(RunState.Succeeded, await WaitAsync(host, accepted.Id));

        var response = await client.PostAsync($"{accepted.Url}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>(Json))!;
        Assert.Equal("Run already finished", problem.Title);
        Assert.Contains("(Succeeded)", problem.Detail);
    }

    [Fact]
    public async Task Cancel_StopsARunningRun()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var accepted = await TriggerAsync(client, "Sequence", new { delayMs = 600_000 });
        await WaitForStateAsync(host, accepted.Id, TaskState.Running);

        var response = await client.PostAsync($"{accepted.Url}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunState.Cancelled, await WaitAsync(host, accepted.Id));
        var run = (await client.GetFromJsonAsync<RunDetail>(accepted.Url, Json))!;
        Assert.All(run.Tasks, t => Assert.Equal(TaskState.Cancelled, t.State));
        var audit = (await client.GetFromJsonAsync<List<AuditView>>($"{accepted.Url}/audit", Json))!;
        Assert.Equal([(Engine.Storage.Entities.AuditAction.Triggered, RunTrigger.Api), (Engine.Storage.Entities.AuditAction.Cancelled, RunTrigger.Api)],
            audit.Select(e => (e.Action, e.Via)));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{Guid.NewGuid()}/audit")).StatusCode);
    }

    [Fact]
    public async Task Rerun_QueuesANewRunOfTheSamePipelineLinkedToTheFirst()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var first = await TriggerAsync(client, "ParallelJoin", new { delayMs = 0 });
        await WaitAsync(host, first.Id);

        var response = await client.PostAsJsonAsync($"{first.Url}/rerun", new { scope = "All" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var second = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;
        Assert.Equal(RunState.Succeeded, await WaitAsync(host, second.Id));
        var run = (await client.GetFromJsonAsync<RunDetail>(second.Url, Json))!;
        Assert.Equal((RunTrigger.Rerun, first.Id, RerunScope.All), (run.Run.Trigger, run.Run.ParentRunId, run.Run.RerunScope));
        Assert.Equal("0", run.Parameters["delayMs"]);

        var badTask = await client.PostAsJsonAsync($"{first.Url}/rerun", new { scope = "TaskAndDownstream", taskId = "TaskZ" });
        Assert.Equal(HttpStatusCode.BadRequest, badTask.StatusCode);
        Assert.Equal(2, await CountRunsAsync(host));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryEndpoint()
    {
        await using var host = await StartAsync();

        var document = await host.CreateClient().GetStringAsync("/openapi/v1.json");

        foreach (var path in new[] { "/api/pipelines", "/api/pipelines/{name}/runs", "/api/runs", "/api/runs/{id}", "/api/runs/{id}/tasks/{index}",
                     "/api/runs/{id}/rerun", "/api/runs/{id}/tasks/{index}/rerun", "/api/runs/{id}/cancel", "/api/runs/{id}/audit", "/api/runs/{id}/summary" })
        {
            Assert.Contains($"\"{path}\"", document);
        }
    }

    private async Task<LuigiWebFactory> StartAsync() => new(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());

    private static async Task<RunAccepted> TriggerAsync(HttpClient client, string pipeline, object parameters)
    {
        var response = await client.PostAsJsonAsync($"/api/pipelines/{pipeline}/runs", new { parameters });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;
    }

    private static Task<RunState> WaitAsync(LuigiWebFactory host, Guid runId) =>
        host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(runId).WaitAsync(Guard);

    private static Task WaitForStateAsync(LuigiWebFactory host, Guid runId, TaskState state) =>
        host.Services.GetRequiredService<TaskChangeWaiter>().WaitAsync(c => c.RunId == runId && c.State == state).WaitAsync(Guard);

    private static async Task<int> CountRunsAsync(LuigiWebFactory host)
    {
        await using var context = host.Services.GetRequiredService<LuigiStore>().CreateDbContext();
        return await context.Runs.CountAsync();
    }
}
