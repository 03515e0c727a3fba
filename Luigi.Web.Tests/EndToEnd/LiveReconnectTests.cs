using Luigi.Engine;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>A page whose network goes away while the run goes on comes back by itself and shows every change it missed.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveReconnectTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    private static readonly string[] Steps = ["Extract", "Transform", "Load"];
    [Fact]
    public async Task DroppedConnection_Reconnects_AndCatchesUpOnChangesMadeMeanwhile()
    {
        await using var network = new DroppingProxy(Host.BaseUrl);
        var key = Guid.NewGuid().ToString("N");
        var executor = Host.Services.GetRequiredService<StoreExecutor>();
        var runId = await executor.EnqueueAsync(new RunRequest(nameof(GatedPipeline),
            new Dictionary<string, string> { ["key"] = key }, RunTrigger.Api, "tester"));
        var page = await NewPageAsync(network.BaseUrl);
        await page.OpenAsync($"/runs/{runId}");
        await page.GetByTestId("tab-graph").ClickAsync();
        await Assertions.Expect(page.GetByTestId("graph")).ToHaveAttributeAsync("data-nodes", "3");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Extract') === 'Running'");

        // The network goes away; meanwhile the whole run happens.
        network.Drop();
        GatedPipeline.Open(key);
        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(runId).WaitAsync(TimeSpan.FromSeconds(60)));
        network.Restore();

        // Back without a reload: the graph and the list show every step Done, the header the run's end.
        await page.WaitUntilAsync(
            "() => ['Extract', 'Transform', 'Load'].every(id => document.querySelector('[data-testid=graph]')?.luigiGraph?.state(id) === 'Done')",
            90_000);
        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", nameof(RunState.Succeeded), new() { Timeout = 60_000 });
        await page.GetByTestId("tab-tasks").ClickAsync();
        foreach (var step in Steps)
        {
            await Assertions.Expect(page.Locator($"[data-task-id=\"{step}\"]")).ToHaveAttributeAsync("data-state", nameof(TaskState.Done));
        }
    }
}
