using System.Text.RegularExpressions;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Security;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// Markup typed as a parameter, logged by a task and thrown in its error stays text on every page that shows it, in a
/// real Chromium: nothing runs, no element is injected, no dialog opens, and the user reads the text as typed.
/// The policy would block an injected inline script, so the test also requires that it never had to (no violation).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class UntrustedTextTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    private const string Payload = HostileTextPipeline.Payload;

    [Fact]
    public async Task MarkupInParametersLogsAndErrors_IsShownAsText_OnEveryPage()
    {
        var taskId = new HostileTextTask { Text = Payload }.TaskId;
        var page = await NewPageAsync();
        var watch = await PageWatch.StartAsync(page);

        await page.OpenAsync("/pipelines/HostileTextPipeline");
        await page.GetByTestId("param-text").FillAsync(Payload);
        await page.GetByTestId("trigger").ClickAsync();
        await WaitForRunPageAsync(page);
        var runUrl = page.Url;
        await Assertions.Expect(page.GetByTestId("run-state").Locator(".state-badge")).ToHaveAttributeAsync("data-state", "Failed", new() { Timeout = 60_000 });

        // The run page: the header's parameters, the root causes, the task list, the task's details with its error and log.
        await Assertions.Expect(page.GetByTestId("run-parameters")).ToContainTextAsync(Payload);
        await Assertions.Expect(page.GetByTestId("root-cause")).ToContainTextAsync(taskId);
        var row = page.GetByTestId("task-row");
        await Assertions.Expect(row).ToContainTextAsync(taskId);
        await row.ClickAsync();
        await AssertDetailsShowTheTextAsync(page, taskId);
        await AssertInertAsync(page);

        // The same page loaded afresh, rendered on the server first.
        await page.OpenAsync($"{runUrl}/tasks/0");
        await AssertDetailsShowTheTextAsync(page, taskId);
        await Assertions.Expect(page.GetByTestId("run-parameters")).ToContainTextAsync(Payload);
        await AssertInertAsync(page);

        // The graph draws the id on canvas; its description and its data keep it as text.
        await page.GetByTestId("tab-graph").ClickAsync();
        var graph = page.GetByTestId("graph");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-ready", "true");
        Assert.Equal(taskId, await graph.EvaluateAsync<string>("e => e.luigiGraph.nodes()[0].taskId"));
        Assert.DoesNotContain("<", await graph.GetAttributeAsync("aria-label") ?? "<");
        await AssertInertAsync(page);

        // Searching the graph for the id finds it and names it as text.
        await page.GetByTestId("graph-search").FillAsync(taskId);
        await page.GetByTestId("graph-search").PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("graph-search-result")).ToHaveTextAsync($"{taskId} (1 of 1)");
        await Assertions.Expect(graph).ToHaveAttributeAsync("data-mode", "focus");
        await AssertInertAsync(page);

        // The timeline's tooltip over the attempt's bar names the task and its error.
        await page.GetByTestId("tab-timeline").ClickAsync();
        var timeline = page.GetByTestId("timeline");
        await Assertions.Expect(timeline).ToHaveAttributeAsync("data-ready", "true");
        await page.WaitUntilAsync("() => document.querySelector('[data-testid=timeline]')?.luigiTimeline?.bars() === 1");
        var box = (await timeline.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + 200 + (box.Width - 224) / 2, box.Y + 12 + (box.Height - 68) / 2);
        await Assertions.Expect(timeline).ToContainTextAsync($"could not parse {Payload}");
        await Assertions.Expect(timeline).ToContainTextAsync(taskId);
        await AssertInertAsync(page);

        // The runs list, searched by the parameter's value, and the overview's recent failures.
        await page.OpenAsync("/runs");
        await page.GetByTestId("filter-search").FillAsync(Payload);
        await Assertions.Expect(page.GetByTestId("filter-search")).ToHaveValueAsync(Payload);
        await Assertions.Expect(page.GetByTestId("run-row")).ToHaveCountAsync(1);
        await AssertInertAsync(page);
        await page.OpenAsync("/");
        await Assertions.Expect(page.GetByTestId("failure").First).ToContainTextAsync(taskId);
        await AssertInertAsync(page);

        watch.AssertClean();
    }

    private static async Task AssertDetailsShowTheTextAsync(IPage page, string taskId)
    {
        var details = page.GetByTestId("task-details");
        await Assertions.Expect(details).ToBeVisibleAsync();
        await Assertions.Expect(details).ToContainTextAsync(taskId);
        await Assertions.Expect(details.GetByTestId("attempt-error").First).ToContainTextAsync($"could not parse {Payload}");
        await Assertions.Expect(details.GetByTestId("log-line").Filter(new() { HasText = $"read {Payload}" })).ToHaveCountAsync(1);
    }

    private static async Task AssertInertAsync(IPage page)
    {
        var found = await page.EvaluateAsync<string>(
            "() => JSON.stringify({ pwned: typeof window.__pwned, " +
            "images: document.querySelectorAll('img[src=\"x\"], [onerror]').length, " +
            "scripts: [...document.scripts].filter(s => s.textContent.includes('__pwned')).length })");
        Assert.Equal("{\"pwned\":\"undefined\",\"images\":0,\"scripts\":0}", found);
    }
}
