using Luigi.Web.Tests.Cli;
using Microsoft.Extensions.Configuration;

namespace Luigi.Web.Tests.Pipelines;

/// <summary>The example pipelines are offered only when <c>Luigi:Examples:Enabled</c> is on: a production host lists its team's.</summary>
public sealed class ExamplesSettingTests
{
    [Fact]
    public async Task List_ShowsOnlyTheTeamPipelines_WhenExamplesAreOff()
    {
        var environment = TeamPipelines.Listing(TeamPipelines.AssemblyPath);
        environment["Luigi__Examples__Enabled"] = "false";

        var (exitCode, output, error) = await HostProcess.RunAsync(["list"], environment);

        Assert.True(exitCode == 0, output + error);
        var names = output.ReplaceLineEndings("\n").Split("\n\n").Select(block => block.Split("  ")[0].Trim()).Where(n => n.Length > 0);
        Assert.Equal(["InventorySnapshot", "Reorder", "SupplierPrices"], names);
    }

    [Fact]
    public async Task Run_RefusesAnExample_WhenExamplesAreOff()
    {
        var environment = new Dictionary<string, string> { ["Luigi__Examples__Enabled"] = "false" };

        var (exitCode, _, error) = await HostProcess.RunAsync(["run", "ComplexExample", "--store", "memory"], environment);

        Assert.Equal(2, exitCode);
        Assert.Contains("error: Unknown pipeline 'ComplexExample'. Known pipelines: (none).", error);
    }

    [Fact]
    public void ExamplesAreOff_InTheShippedSettings()
    {
        var settings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();

        Assert.False(LuigiWebSetup.ExamplesEnabled(settings));
        Assert.DoesNotContain(LuigiWebSetup.CreatePipelineRegistry(settings).All, p => p.Name == "ComplexExample");
    }
}
