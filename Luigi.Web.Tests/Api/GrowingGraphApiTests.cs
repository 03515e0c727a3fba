using Luigi.Engine.Events;
using Luigi.Engine.ReadModel;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Storage;
using Luigi.Web.Api;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Api;

/// <summary>
/// The example pipeline that waits for an export and grows as it runs (ShopExports), through the API of a real host on
/// PostgreSQL: the tasks found at run time are stored with their edges and counted; a task waiting for its data says so,
/// with its next check time.
/// </summary>
public sealed class GrowingGraphApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly string _folder = "test-exports-" + Guid.NewGuid().ToString("N");

    private string Incoming => Path.Combine(DataRoot.Directory, _folder, "incoming", "2026-11-25");

    public void Dispose()
    {
        if (Directory.Exists(Path.Combine(DataRoot.Directory, _folder)))
        {
            Directory.Delete(Path.Combine(DataRoot.Directory, _folder), recursive: true);
        }
    }

    [Fact]
    public async Task TasksFoundAtRunTime_AreStoredWithTheirEdges_AndCounted()
    {
        Directory.CreateDirectory(Incoming);
        foreach (var shop in new[] { "shop-a", "shop-b", "shop-c" })
        {
            await File.WriteAllLinesAsync(Path.Combine(Incoming, $"{shop}.csv"), ["order_id,timestamp,product,quantity,unit_price", "1,2026-11-25T08:00:00,apple,2,0.40"]);
        }

        await File.WriteAllTextAsync(Path.Combine(Incoming, "_SUCCESS"), "");
        await using var host = new LuigiWebFactory(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());
        var client = host.CreateClient();

        var accepted = await TriggerAsync(client);
        Assert.Equal(RunState.Succeeded, await host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(accepted.Id).WaitAsync(Guard));

        var run = (await client.GetFromJsonAsync<RunDetail>(accepted.Url, Json))!;
        Assert.Equal(5, run.Tasks.Count);
        Assert.Equal(5, run.Run.TaskCount);
        Assert.Equal(4, run.Counts[TaskState.Done]);
        Assert.Equal(1, run.Counts[TaskState.Complete]);
        var requester = Assert.Single(run.Tasks, t => t.TaskId == "CleanExport(date=2026-11-25)");
        Assert.Equal([TaskState.Pending, TaskState.Done], requester.Attempts.Select(a => a.Outcome)); // suspended (no failure), then resumed
        var found = run.Tasks.Where(t => t.Family == "CleanExportFile").ToList();
        Assert.Equal(["shop-a.csv", "shop-b.csv", "shop-c.csv"], found.Select(t => t.Parameters["file"]).Order());
        Assert.All(found, t => Assert.Contains(run.Edges, e => e.From == t.Index && e.To == requester.Index));
    }

    [Theory]
    [InlineData(StoreProvider.Postgres)]
    [InlineData(StoreProvider.Sqlite)]
    public async Task ATaskWaitingForItsData_ShowsWhatItWaitsForAndItsNextCheck(StoreProvider provider)
    {
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(DataRoot.Directory, _folder)).FullName, "luigi.db"); // deleted with the folder
        await using var host = new LuigiWebFactory(provider,
            provider == StoreProvider.Postgres ? await postgres.CreateDatabaseAsync() : $"Data Source={file};Pooling=False");
        var client = host.CreateClient();
        var waiter = host.Services.GetRequiredService<TaskChangeWaiter>();

        var accepted = await TriggerAsync(client);
        await waiter.WaitAsync(c => c.RunId == accepted.Id && c.State == TaskState.RetryWaiting).WaitAsync(Guard);

        var run = (await client.GetFromJsonAsync<RunDetail>(accepted.Url, Json))!;
        var export = Assert.Single(run.Tasks, t => t.TaskId == "ExportArrived(date=2026-11-25)");
        Assert.Equal(TaskState.RetryWaiting, export.State);
        var check = Assert.Single(export.Attempts);
        Assert.Equal(check.FinishedAt!.Value.AddMinutes(5), export.NextAttemptAt);
        Assert.Contains($"ExportArrived(date=2026-11-25) has not arrived yet: {Path.Combine(Incoming, "_SUCCESS")}; next check at", export.ErrorSummary);
        var raw = (await client.GetFromJsonAsync<JsonElement>(accepted.Url)).GetProperty("tasks").EnumerateArray()
            .Single(t => t.GetProperty("taskId").GetString() == export.TaskId);
        Assert.Equal(run.Run.StartedAt!.Value.AddHours(1), raw.GetProperty("waitingForDataUntil").GetDateTime()); // waitHours = 1: waiting for data, not to retry
        Assert.Equal(export.NextAttemptAt, raw.GetProperty("nextAttemptAt").GetDateTime());
        Assert.Contains("\"waitingForDataUntil\"", await client.GetStringAsync("/openapi/v1.json")); // described with the task's other fields
        Assert.Equal(TaskState.Pending, Assert.Single(run.Tasks, t => t.TaskId == "CleanExport(date=2026-11-25)").State);
        Assert.Equal(RunState.Running, run.Run.State); // waiting, holding no worker, until the export lands or the deadline passes
        var cancel = await client.PostAsync($"{accepted.Url}/cancel", null);
        Assert.True(cancel.IsSuccessStatusCode);
    }

    private async Task<RunAccepted> TriggerAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/pipelines/ShopExports/runs",
            new { parameters = new { date = "2026-11-25", dataDir = _folder, checkEveryMinutes = 5, waitHours = 1 } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!;
    }
}
