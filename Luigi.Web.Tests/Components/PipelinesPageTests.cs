using Bunit;
using Luigi.Web.Components.Pages;

namespace Luigi.Web.Tests.Components;

public sealed class PipelinesPageTests : IAsyncLifetime
{
    private DashboardHarness _h = default!;

    public async Task InitializeAsync() => _h = await DashboardHarness.CreateAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public void List_ShowsEveryPipelineWithItsDescription()
    {
        var page = _h.Context.Render<PipelinesPage>();

        var complex = page.Find("[data-testid=pipeline-ComplexExample]");
        Assert.Contains("A -> C, B -> C", complex.TextContent);
        Assert.Equal("/pipelines/ComplexExample", complex.GetAttribute("href"));
        Assert.NotNull(page.Find("[data-testid=pipeline-DailySales]"));
    }

    [Fact]
    public void DeepLink_ShowsThePreviewOfItsGraphAndItsTriggerForm()
    {
        var module = _h.Context.JSInterop.SetupModule("./js/dashboard.js");
        module.Mode = JSRuntimeMode.Loose;

        var page = _h.Context.Render<PipelinesPage>(p => p.Add(x => x.Name, "ComplexExample"));

        page.WaitForAssertion(() => Assert.StartsWith("7 tasks, 6 edges", page.Find("[data-testid=preview-count]").TextContent));
        page.WaitForAssertion(() => Assert.Single(module.Invocations, i => i.Identifier == "mountGraph"));
        Assert.NotNull(page.Find("[data-testid=graph]"));
        Assert.NotNull(page.Find("[data-testid=param-delayMs]"));
    }

    [Fact]
    public void PipelineWithARequiredParameter_SaysThePreviewNeedsItsValue()
    {
        var page = _h.Context.Render<PipelinesPage>(p => p.Add(x => x.Name, nameof(FormPipeline)));

        page.WaitForAssertion(() => Assert.Contains("without values for day", page.Find("[data-testid=preview-problem]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=graph]"));
    }

    [Fact]
    public void UnknownPipeline_SaysSo()
    {
        var page = _h.Context.Render<PipelinesPage>(p => p.Add(x => x.Name, "Nope"));

        Assert.Contains("Nope", page.Find("[data-testid=pipeline-missing]").TextContent);
    }
}
