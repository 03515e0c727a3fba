using System.Net.Http.Json;
using System.Text.Json;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// A run that reaches a task another run is running waits for it, and says so where the on-call person looks: the API,
/// the run page's task list and details, and its graph.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TaskWaitingTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task SecondRun_ShowsItsTaskWaitingForTheFirstRun_InTheApiListDetailsAndGraph_ThenRunsIt()
    {
        var key = Guid.NewGuid().ToString("N");
        var executor = Host.Services.GetRequiredService<StoreExecutor>();
        var first = await executor.EnqueueAsync(new RunRequest(nameof(GatedPipeline), new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));
        await Host.Changes.WaitAsync(c => c.RunId == first && c.TaskId == "Extract" && c.State == TaskState.Running);
        var second = await executor.EnqueueAsync(new RunRequest(nameof(GatedPipeline), new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));
        await Host.Changes.WaitAsync(c => c.RunId == second && c.TaskId == "Extract" && c.State == TaskState.Waiting);

        // The API: the task's state and the run it waits for.
        using var api = Host.CreateClient();
        var run = await api.GetFromJsonAsync<JsonElement>($"/api/runs/{second}");
        var extract = run.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == "Extract");
        Assert.Equal(nameof(TaskState.Waiting), extract.GetProperty("state").GetString());
        Assert.Equal(first, extract.GetProperty("waitingForRun").GetGuid());

        // The run page: the list row and the details name the other run, the graph colours the node as waiting.
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{second}");
        var row = page.Locator("[data-testid=task-row][data-task-id=\"Extract\"]");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", nameof(TaskState.Waiting));
        await Assertions.Expect(row.GetByTestId("waiting-for")).ToHaveAttributeAsync("href", $"/runs/{first}");
        await row.ClickAsync();
        await Assertions.Expect(page.GetByTestId("details-waiting-for")).ToContainTextAsync(first.ToString());
        await page.GetByTestId("tab-graph").ClickAsync();
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Extract') === 'Waiting'");

        // The first run's attempt ends: the waiting task (no outputs, never complete) runs, and the page follows.
        GatedPipeline.Open(key);
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(first).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(second).WaitAsync(TimeSpan.FromSeconds(60)));
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Extract') === 'Done'", 60_000);
        await page.GetByTestId("tab-tasks").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=task-row][data-task-id=\"Extract\"]")).ToHaveAttributeAsync("data-state", nameof(TaskState.Done));
        await Assertions.Expect(page.GetByTestId("waiting-for")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task RunBeyondItsPipelinesLimit_StaysQueued_AndSaysWhyInTheApiAndOnItsPage()
    {
        var key = Guid.NewGuid().ToString("N");
        var executor = Host.Services.GetRequiredService<StoreExecutor>();
        var first = await executor.EnqueueAsync(new RunRequest(nameof(GatedOncePipeline), new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));
        await Host.Changes.WaitAsync(c => c.RunId == first && c.TaskId == "Extract" && c.State == TaskState.Running);
        var second = await executor.EnqueueAsync(new RunRequest(nameof(GatedOncePipeline), new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));

        using var api = Host.CreateClient();
        var run = await api.GetFromJsonAsync<JsonElement>($"/api/runs/{second}");
        Assert.Equal(nameof(RunState.Queued), run.GetProperty("run").GetProperty("state").GetString());
        var why = run.GetProperty("queuedBecause").GetString();
        Assert.Contains($"{nameof(GatedOncePipeline)} allows 1 active run at a time", why);
        Assert.Contains(first.ToString(), why);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{second}");
        await Assertions.Expect(page.GetByTestId("run-queued-because")).ToContainTextAsync(first.ToString());

        GatedPipeline.Open(key);
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(first).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(second).WaitAsync(TimeSpan.FromSeconds(60)));
    }
}

/// <summary>The gated Extract, Transform, Load of <see cref="GatedPipeline"/>, one run at a time.</summary>
[MaxActiveRuns(1)]
public sealed class GatedOncePipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new GatedStep { Name = "Load", Key = Key }];
}
