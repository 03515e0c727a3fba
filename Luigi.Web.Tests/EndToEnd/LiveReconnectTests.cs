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
            new Dictionary<string, string> { ["delayMs"] = "800" }, RunTrigger.Api, "tester"));
        var page = await chromium.NewPageAsync(network.BaseUrl);
        await page.GotoAsync($"/runs/{runId}");
        await page.GetByTestId("tab-graph").ClickAsync();
        await Assertions.Expect(page.GetByTestId("graph")).ToHaveAttributeAsync("data-nodes", "7");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('TaskA') === 'Running'");

        // The network goes away while TaskA, TaskB and TaskC finish.
        network.Drop();
        await Host.Changes.WaitAsync(c => c.RunId == runId && c.TaskId == "TaskC" && c.State == TaskState.Done).WaitAsync(TimeSpan.FromSeconds(60));
        network.Restore();

        // Back without a reload: the graph and the list show every task Done, the header the run's end.
        await page.WaitForFunctionAsync(
            "() => ['TaskA','TaskB','TaskC','TaskD','TaskE','TaskF','TaskG'].every(id => document.querySelector('[data-testid=graph]')?.luigiGraph?.state(id) === 'Done')",
            null, new PageWaitForFunctionOptions { Timeout = 90_000 });
        await Assertions.Expect(page.GetByTestId("run-state")).ToHaveAttributeAsync("data-state", nameof(RunState.Succeeded), new() { Timeout = 60_000 });
        await page.GetByTestId("tab-tasks").ClickAsync();
        foreach (var task in new[] { "TaskA", "TaskB", "TaskC", "TaskG" })
        {
            await Assertions.Expect(page.Locator($"[data-task-id=\"{task}\"]")).ToHaveAttributeAsync("data-state", nameof(TaskState.Done));
        }
    }
}
