using System.Text.RegularExpressions;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// Every page of the dashboard under the host's Content-Security-Policy, in a real Chromium: the graphs lay out in
/// their worker and draw, the timeline draws, live changes arrive over the hub's WebSocket, and the browser reports
/// no violation of the policy.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task EveryPage_WorksUnderThePolicy_WithoutAViolation()
    {
        var key = Guid.NewGuid().ToString("N");
        var page = await NewPageAsync();
        var watch = await PageWatch.StartAsync(page);

        var overview = await page.GotoAsync("/");
        Assert.Contains("script-src 'self' 'nonce-", (await overview!.AllHeadersAsync())["content-security-policy"]);
        await page.Locator(".shell[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("overview-counts")).ToBeVisibleAsync();

        // The pipeline's preview: laid out by elkjs in its worker, drawn by Cytoscape.
        await page.OpenAsync($"/pipelines/{nameof(GatedFanPipeline)}");
        var preview = page.GetByTestId("graph");
        await Assertions.Expect(preview).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(preview).ToHaveAttributeAsync("data-nodes", "3");

        await page.GetByTestId("param-key").FillAsync(key);
        await page.GetByTestId("trigger").ClickAsync();
        await WaitForRunPageAsync(page);

        // Live changes reach the list over the circuit, then the graph over the hub (the extracts wait for the test's gate).
        await page.WaitUntilAsync("() => document.querySelector('[data-task-id=\"ExtractA\"]')?.dataset.state === 'Running'", 60_000);
        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-nodes", "3");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('ExtractA') === 'Running'");
        GatedPipeline.Open(key);
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=graph]')?.luigiGraph?.state('Merge') === 'Done'", 60_000);
        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", "Succeeded");

        await page.GetByTestId("tab-timeline").ClickAsync();
        var timeline = page.GetByTestId("timeline");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-ready", "true");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=timeline]')?.luigiTimeline?.bars() === 3");

        await page.OpenAsync("/runs");
        await Assertions.Expect(page.GetByTestId("run-row")).ToHaveCountAsync(1);
        await page.OpenAsync("/pipelines");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = nameof(GatedFanPipeline) })).ToBeVisibleAsync();

        watch.AssertClean();
    }

    [Fact]
    public async Task AnInlineScript_IsRefusedByThePolicy_AndReported()
    {
        var page = await NewPageAsync();
        var watch = await PageWatch.StartAsync(page);
        await page.OpenAsync("/");

        // What an injection would do: add an inline script without the response's nonce.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); }");

        await Assertions.Expect(page.GetByTestId("overview-counts")).ToBeVisibleAsync();
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__ran"));
        await page.WaitUntilAsync("() => window.luigiTestViolations.some(v => v.startsWith('script-src') && v.includes('blocked inline'))");
        Assert.Empty(watch.Dialogs);
    }
}
