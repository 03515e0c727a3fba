using Luigi.Engine;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>Before anything runs, the trigger form says what would run and what is already complete, by family.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DryRunPlanTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task TriggerForm_ChecksWhatWouldRun_ByFamily_AndRunsNothing()
    {
        var page = await NewPageAsync();
        var name = $"plan-{Guid.NewGuid():N}"; // a folder under the host's data root: paths outside it are refused
        var dataDir = DataRoot.Resolve(name);
        try
        {
            // The first day's orders exist, raw and clean: that day is complete.
            foreach (var folder in new[] { "raw", "clean" })
            {
                Directory.CreateDirectory(Path.Combine(dataDir, folder));
                await File.WriteAllTextAsync(Path.Combine(dataDir, folder, "orders-2026-11-01.csv"), "id,amount\n");
            }

            await page.OpenAsync("/pipelines/DailySales");
            await page.GetByTestId("param-end").FillAsync("2026-11-02");
            await page.GetByTestId("param-days").FillAsync("2");
            await page.GetByTestId("param-dataDir").FillAsync(name);
            await page.GetByTestId("plan-run").ClickAsync();

            await Assertions.Expect(page.GetByTestId("plan-totals")).ToContainTextAsync("3 would run, 1 complete already", new() { Timeout = 30_000 });
            var clean = page.Locator("[data-testid=plan-family][data-family=CleanOrders]");
            await Assertions.Expect(clean).ToHaveAttributeAsync("data-would-run", "1");
            await Assertions.Expect(clean).ToHaveAttributeAsync("data-complete", "1");
            await Assertions.Expect(page.Locator("[data-testid=plan-family][data-family=GenerateOrders]")).ToHaveAttributeAsync("data-would-run", "1");
            await Assertions.Expect(page.Locator("[data-testid=plan-family][data-family=SalesReport]")).ToHaveAttributeAsync("data-would-run", "1");

            // Nothing ran: no run was queued and no file was written.
            var runs = await Host.CreateClient().GetStringAsync("/api/runs");
            Assert.Contains("\"total\":0", runs);
            Assert.Equal(2, Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories).Length);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}
