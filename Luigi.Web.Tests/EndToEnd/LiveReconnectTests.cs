using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>A page whose network goes away while the run goes on comes back by itself and shows every change it missed.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveReconnectTests(ChromiumBrowser chromium, PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private DashboardHost? _host;

    private DashboardHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync(postgres);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task DroppedConnection_Reconnects_AndCatchesUpOnChangesMadeMeanwhile()
    {
        await using var network = new DroppingProxy(Host.BaseUrl);
        var executor = Host.Services.GetRequiredService<StoreExecutor>();
        var runId = await executor.EnqueueAsync(new RunRequest("ComplexExample",
            new Dictionary<string, string> { ["delayMs"] = "3000" }, RunTrigger.Api, "tester"));
        var page = await chromium.NewPageAsync(network.BaseUrl);
        await page.OpenAsync($"/runs/{runId}");
        await page.GetByTestId("tab-graph").ClickAsync();
        await Assertions.Expect(page.GetByTestId("graph")).ToHaveAttributeAsync("data-nodes", "7");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('TaskA') === 'Running'");

        // The network goes away while TaskA to TaskE finish (12 s of work in four steps of 3 s).
        network.Drop();
        Assert.False(Host.Changes.WaitAsync(c => c.RunId == runId && c.TaskId == "TaskE" && c.State == TaskState.Done).IsCompleted,
            "TaskE finished before the network went away: nothing would be missed.");
        await Host.Changes.WaitAsync(c => c.RunId == runId && c.TaskId == "TaskE" && c.State == TaskState.Done).WaitAsync(TimeSpan.FromSeconds(60));
        network.Restore();

        // Back without a reload: the graph and the list show every task Done, the header the run's end.
        await page.WaitUntilAsync("() => ['TaskA','TaskB','TaskC','TaskD','TaskE','TaskF','TaskG'].every(id => document.querySelector('[data-testid=graph]')?.luigiGraph?.state(id) === 'Done')", 90_000);
        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", nameof(RunState.Succeeded), new() { Timeout = 60_000 });
        await page.GetByTestId("tab-tasks").ClickAsync();
        foreach (var task in new[] { "TaskA", "TaskB", "TaskC", "TaskG" })
        {
            await Assertions.Expect(page.Locator($"[data-task-id=\"{task}\"]")).ToHaveAttributeAsync("data-state", nameof(TaskState.Done));
        }
    }
}
