using System.Net.Http.Json;
using System.Text.Json;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>An Operator makes a schedule from the dashboard, in a real browser; it is stored, listed and shown with its next fire time.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ScheduleDashboardTests(ChromiumBrowser chromium, PostgresServer postgres)
    : DashboardTest(chromium, postgres), IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Operator_MakesAScheduleFromTheSchedulesPage_WithTypedParameters()
    {
        var page = await NewPageAsync();
        await page.OpenAsync("/schedules");

        await page.GetByTestId("new-schedule").ClickAsync();
        await page.GetByTestId("schedule-name").FillAsync("morning-sales");
        await page.GetByTestId("schedule-pipeline").SelectOptionAsync("DailySales");
        await page.GetByTestId("schedule-cron").FillAsync("15 7 * * 1-5");
        await page.GetByTestId("schedule-timeZone").FillAsync("Europe/Berlin");
        await page.GetByTestId("schedule-fireTimeParameter").SelectOptionAsync("end");
        await Assertions.Expect(page.GetByTestId("schedule-param-end")).ToHaveCountAsync(0);
        await page.GetByTestId("schedule-param-days").FillAsync("2");
        await page.GetByTestId("save-schedule").ClickAsync();

        var row = page.Locator("[data-testid=schedule][data-name=morning-sales]");
        await Assertions.Expect(row).ToContainTextAsync("15 7 * * 1-5", new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToContainTextAsync("end = fire time -1d");
        await Assertions.Expect(page.GetByTestId("schedule-form")).ToHaveCountAsync(0);

        var stored = await Host.CreateClient().GetFromJsonAsync<JsonElement>("/api/schedules/morning-sales");
        Assert.Equal("DailySales", stored.GetProperty("pipeline").GetString());
        Assert.Equal("Europe/Berlin", stored.GetProperty("timeZone").GetString());
        Assert.Equal("2", stored.GetProperty("parameters").GetProperty("days").GetString());
        var next = DateTimeOffset.Parse(stored.GetProperty("nextFireAt").GetString()!);
        await Assertions.Expect(row.GetByTestId("fire-time-utc")).ToContainTextAsync($"{next.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
    }
}
