using Bunit;
using Luigi.Web.Components.Pipelines;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

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

    [Theory]
    [InlineData("days", "400", "Parameter 'days' must be from 1 to 366; got 400.")]
    [InlineData("end", "0001-01-01", "Parameter 'end' must be from 2000-01-01 to 2099-12-31; got 0001-01-01.")]
    [InlineData("dataDir", "../../../../tmp/x", "'..' would leave the data root")]
    [InlineData("dataDir", "/tmp/x", "it is absolute")]
    [InlineData("dataDir", "C:\\temp", "it is absolute")]
    public async Task Submit_OutsideADeclaredLimit_ShowsTheLimitNextToTheField_AndQueuesNothing(string name, string value, string says)
    {
        var form = Render("DailySales");

        form.Find($"[data-testid=param-{name}]").Change(value);
        form.Find("[data-testid=trigger-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains(says, form.Find($"[data-testid=error-{name}]").TextContent));
        Assert.Equal(0, (await _h.Reader.ListAsync(new RunFilter())).Total);
    }

    [Fact]
    public async Task Submit_WithRetriesAndFailuresPastTheirLimits_NamesBoth()
    {
        var form = Render("Sequence");

        form.Find("[data-testid=param-failTimes]").Change("2147483647");
        form.Find("[data-testid=param-retries]").Change("2147483647");
        form.Find("[data-testid=param-delayMs]").Change("-1");
        form.Find("[data-testid=trigger-form]").Submit();

        form.WaitForAssertion(() => Assert.Contains("must be from 0 to 100", form.Find("[data-testid=error-failTimes]").TextContent));
        Assert.Contains("must be from 0 to 20", form.Find("[data-testid=error-retries]").TextContent);
        Assert.Contains("must be from 0 to 600000; got -1", form.Find("[data-testid=error-delayMs]").TextContent);
        Assert.Equal(0, (await _h.Reader.ListAsync(new RunFilter())).Total);
    }

    [Fact]
    public void Fields_ShowTheirLimits_InTheInputAndItsHelp()
    {
        var form = Render("DailySales");

        var days = form.Find("[data-testid=param-days]");
        Assert.Equal(("1", "366"), (days.GetAttribute("min"), days.GetAttribute("max")));
        var end = form.Find("[data-testid=param-end]");
        Assert.Equal(("2000-01-01", "2099-12-31"), (end.GetAttribute("min"), end.GetAttribute("max")));
        Assert.Equal("200", form.Find("[data-testid=param-dataDir]").GetAttribute("maxlength"));
        Assert.Contains("from 1 to 366", form.Find("#param-days-help").TextContent);
        Assert.Contains("relative, no '..'", form.Find("#param-dataDir-help").TextContent);
    }
}
