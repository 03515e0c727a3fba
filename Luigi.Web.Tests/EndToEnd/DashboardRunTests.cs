using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Luigi.Engine;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// The dashboard driven by a real Chromium against the real host on PostgreSQL: trigger from the browser, watch a run
/// change without reloading, read a failure, re-run it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardRunTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Trigger_ShowsParallelTasksAndTheGraphLive()
    {
        var key = Guid.NewGuid().ToString("N");
        var page = await NewPageAsync();
        await page.OpenAsync($"/pipelines/{nameof(GatedFanPipeline)}");
        await page.GetByTestId("param-key").FillAsync(key);
        await page.GetByTestId("trigger").ClickAsync();
        await WaitForRunPageAsync(page);

        // Two workers: ExtractA and ExtractB run at the same time (both wait for the test's gate), seen in the status list as it happens.
        await page.WaitUntilAsync("() => ['ExtractA', 'ExtractB'].every(id => document.querySelector(`[data-task-id=\"${id}\"]`)?.dataset.state === 'Running')");

        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "3");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-edges", "2");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('ExtractA') === 'Running'");

        // The gate opens: the last task turns Done in the graph, and the run in the header, without a reload.
        GatedPipeline.Open(key);
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Merge') === 'Done'", 60_000);
        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", "Succeeded");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "run-page.png") });
    }

    [Fact]
    public async Task FailedTask_ShowsItsError_AndRerunFailedOnly_MakesItDone()
    {
        var key = Guid.NewGuid().ToString("N");
        var failing = new CountingTask { Index = 1, Pipeline = new CountingPipeline { Key = key } }.TaskId;
        var page = await NewPageAsync();
        await page.OpenAsync("/pipelines/CountingPipeline");
        await page.GetByTestId("param-key").FillAsync(key);
        await page.GetByTestId("param-tasks").FillAsync("4");
        await page.GetByTestId("param-width").FillAsync("2");
        await page.GetByTestId("param-failTask").FillAsync(failing);
        await page.GetByTestId("trigger").ClickAsync();
        await WaitForRunPageAsync(page);
        var failedRun = page.Url;

        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", "Failed", new() { Timeout = 60_000 });
        var row = page.Locator($"[data-task-id=\"{failing}\"]");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", nameof(TaskState.Failed));
        await row.ClickAsync();
        var details = page.GetByTestId("task-details");
        await Assertions.Expect(details).ToBeVisibleAsync();
        await Assertions.Expect(details.GetByTestId("attempt-error").First).ToContainTextAsync("failed on purpose");

        // The data is fixed; only what failed or was blocked runs again.
        SideEffects.Fix(key);
        await page.GetByTestId("rerun-failed").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rerun-plan")).ToContainTextAsync(failing);
        await page.GetByTestId("confirm").ClickAsync();
        await WaitForRunPageAsync(page, except: failedRun);

        // The re-run's audit entry names the Operator and the address the click came from.
        var rerun = Guid.Parse(page.Url[^36..]);
        using var api = Host.CreateClient();
        var audit = await api.GetFromJsonAsync<JsonElement>($"/api/runs/{rerun}/audit");
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal(("Rerun", OperatorName, "127.0.0.1"),
            (entry.GetProperty("action").GetString(), entry.GetProperty("actor").GetString(), entry.GetProperty("clientAddress").GetString()));

        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator($"[data-task-id=\"{failing}\"]")).ToHaveAttributeAsync("data-state", nameof(TaskState.Done));
    }
}
