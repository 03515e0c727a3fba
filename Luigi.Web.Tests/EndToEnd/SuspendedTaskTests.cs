using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// A task that requires at run time a task the run already has is suspended without any task joining the run (so the page
/// has no reason to read the run again): an open run page, its list and its graph, must still show it leave Running while
/// that requirement runs, then run again and finish; its page keeps what the suspended attempt logged.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SuspendedTaskTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task ARequesterSuspendedForAKnownTask_LeavesRunningOnAnOpenPage_ThenResumes_AndItsPageKeepsTheSuspendedAttemptsLog()
    {
        // The page sees Collect running (it waits for its gate before it asks for Extract), in the list and in the graph.
        var (run, key, page) = await OpenWhileCollectRunsAsync(nameof(SuspendingPipeline));
        var collect = page.Locator("[data-testid=task-row][data-task-id=\"Collect\"]");
        await Assertions.Expect(collect).ToHaveAttributeAsync("data-state", nameof(TaskState.Running));
        await page.GetByTestId("tab-graph").ClickAsync();
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Collect') === 'Running'");

        // Collect asks for Extract, which is running (held by its gate): suspended, no task joins the run.
        GatedPipeline.Open(key + "-collect");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Collect') === 'Pending'");
        await page.GetByTestId("tab-tasks").ClickAsync();
        await Assertions.Expect(collect).ToHaveAttributeAsync("data-state", nameof(TaskState.Pending));
        await Assertions.Expect(page.Locator("[data-testid=task-row][data-task-id=\"Extract\"]")).ToHaveAttributeAsync("data-state", nameof(TaskState.Running));
        await Assertions.Expect(page.GetByTestId("task-row")).ToHaveCountAsync(2);

        // Extract ends: Collect runs again from the start and finishes; the page follows.
        GatedPipeline.Open(key);
        Assert.Equal(RunState.Succeeded, await Host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(run).WaitAsync(TimeSpan.FromSeconds(60)));
        await Assertions.Expect(collect).ToHaveAttributeAsync("data-state", nameof(TaskState.Done));

        // Its page: the suspended attempt with what it logged, then the attempt that resumed it.
        await collect.ClickAsync();
        var suspended = page.Locator("[data-testid=attempt][data-attempt=\"1\"]");
        await Assertions.Expect(suspended.Locator(".state-badge")).ToHaveTextAsync("Suspended");
        await Assertions.Expect(suspended.GetByTestId("log-line")).ToContainTextAsync(["Collect 1 asks for Extract"]);
        await Assertions.Expect(page.Locator("[data-testid=attempt][data-attempt=\"2\"]").GetByTestId("log-line"))
            .ToContainTextAsync(["Collect 2 asks for Extract", "Collect 2 collected"]);
        await Assertions.Expect(page.GetByTestId("history")).ToContainTextAsync("Attempt 1 suspended");
    }

    [Fact]
    public async Task ATaskFoundAtRunTime_JoinsAnOpenGraph_WithItsEdge()
    {
        var (run, key, page) = await OpenWhileCollectRunsAsync(nameof(GrowingPipeline));
        await page.GetByTestId("tab-graph").ClickAsync();
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Collect') === 'Running'");

        // Collect asks for Part, which the run does not have: Part joins the run, and the graph draws it, then follows it.
        GatedPipeline.Open(key + "-collect");
        Assert.Equal(RunState.Succeeded, await Host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(run).WaitAsync(TimeSpan.FromSeconds(60)));
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Part') === 'Done'");
        Assert.Equal(1, await page.EvaluateAsync<int>("() => document.querySelector('[data-testid=graph]').luigiGraph.edges()")); // Part, then Collect
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Collect') === 'Done'");
    }

    /// <summary>Queues a run of <paramref name="pipeline"/> and opens its page once Collect runs (held by its gate).</summary>
    private async Task<(Guid Run, string Key, IPage Page)> OpenWhileCollectRunsAsync(string pipeline)
    {
        var key = Guid.NewGuid().ToString("N");
        var run = await EnqueueGatedAsync(pipeline, key);
        await Host.Changes.WaitAsync(c => c.RunId == run && c.TaskId == "Collect" && c.State == TaskState.Running);
        var page = await NewPageAsync();
        await page.OpenAsync($"/runs/{run}");
        return (run, key, page);
    }
}

/// <summary>Collect alone; once its gate opens it requires Part, which only it knows of.</summary>
public sealed class GrowingPipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new SuspendingCollect { Key = Key, Asks = "Part" }];
}

/// <summary>Collect and the gated Extract side by side; Collect waits for its own gate, then requires Extract at run time.</summary>
public sealed class SuspendingPipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new GatedStep { Name = "Extract", Key = Key }, new SuspendingCollect { Key = Key }];
}

public sealed class SuspendingCollect : LuigiTask
{
    public required string Key { get; init; }

    /// <summary>The task it requires at run time (a <see cref="GatedStep"/> of that name; only Extract waits for a gate).</summary>
    public string Asks { get; init; } = "Extract";

    public override string Family => "Collect";

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        await GatedPipeline.Gate(Key + "-collect").Task.WaitAsync(cancellationToken);
        context.Log($"Collect {context.Attempt} asks for {Asks}");
        await context.RequireAsync(new GatedStep { Name = Asks, Key = Key }, cancellationToken);
        context.Log($"Collect {context.Attempt} collected");
    }
}
