using Bunit;
using Luigi.Engine.Storage;
using Luigi.Web.Components.Pipelines;

namespace Luigi.Web.Tests.Components;

public sealed class TriggerFormTests : IAsyncLifetime
{
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private IRenderedComponent<TriggerForm> Render(string pipeline = nameof(FormPipeline)) =>
        _h.Context.Render<TriggerForm>(p => p.Add(f => f.Pipeline, _h.Pipelines.Find(pipeline)!));

    [Fact]
    public void Fields_AreTypedByParameterKind_WithDefaultsFilledAndRequiredMarked()
    {
        var form = Render();

        Assert.Equal("date", form.Find("[data-testid=param-day]").GetAttribute("type"));
        Assert.Equal("number", form.Find("[data-testid=param-count]").GetAttribute("type"));
        Assert.Equal("3", form.Find("[data-testid=param-count]").GetAttribute("value"));
        Assert.Equal("checkbox", form.Find("[data-testid=param-verbose]").GetAttribute("type"));
        var mode = form.Find("[data-testid=param-mode]");
        Assert.Equal("SELECT", mode.TagName);
        Assert.Equal(["Fast", "Careful"], mode.QuerySelectorAll("option").Select(o => o.TextContent));
        Assert.Equal("Careful", mode.GetAttribute("value"));
        Assert.Equal("north", form.Find("[data-testid=param-regions]").GetAttribute("value"));
        Assert.Single(form.FindAll("[data-testid=required-day]"));
        Assert.Empty(form.FindAll("[data-testid=required-count]"));
    }

    [Fact]
    public async Task Submit_WithAMissingAndAMalformedValue_ShowsEachProblemNextToItsField_AndQueuesNothing()
    {
        var form = Render();

        form.Find("[data-testid=param-count]").Change("many");
        form.Find("[data-testid=trigger-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains("required", form.Find("[data-testid=error-day]").TextContent));
        Assert.Contains("whole number", form.Find("[data-testid=error-count]").TextContent);
        Assert.Empty(form.FindAll("[data-testid=error-mode]"));
        Assert.Equal("true", form.Find("[data-testid=param-count]").GetAttribute("aria-invalid"));
        Assert.Equal(0, (await _h.Reader.ListAsync(new RunFilter())).Total);
    }

    [Fact]
    public async Task Submit_WithValidValues_QueuesABrowserRunWithThemAndOpensIt()
    {
        var form = Render();

        form.Find("[data-testid=param-day]").Change("2026-11-20");
        form.Find("[data-testid=param-verbose]").Change(true);
        form.Find("[data-testid=param-mode]").Change("Fast");
        form.Find("[data-testid=trigger-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains("/runs/", _h.Navigation.Uri));
        var run = Assert.Single((await _h.Reader.ListAsync(new RunFilter())).Items);
        Assert.EndsWith($"/runs/{run.Id}", _h.Navigation.Uri);
        Assert.Equal((RunTrigger.Browser, DashboardHarness.OperatorName), (run.Trigger, run.RequestedBy));
        var parameters = (await _h.Reader.GetAsync(run.Id))!.Parameters;
        Assert.Equal("2026-11-20", parameters["day"]);
        Assert.Equal("true", parameters["verbose"]);
        Assert.Equal("Fast", parameters["mode"]);
        Assert.Equal("3", parameters["count"]);
    }

    [Fact]
    public async Task PipelinesOwnCheck_IsShownNextToTheFieldItNames()
    {
        var form = Render("DailySales");

        form.Find("[data-testid=param-days]").Change("400");
        form.Find("[data-testid=trigger-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains("between 1 and 366", form.Find("[data-testid=error-days]").TextContent));
        Assert.Equal(0, (await _h.Reader.ListAsync(new RunFilter())).Total);
    }
}
