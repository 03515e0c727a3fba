using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Web.Pipelines;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Pipelines;

/// <summary>A team's pipelines reach the web host: through the setting, or registered in code by a host of its own.</summary>
public sealed class PipelineServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-team-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task AddLuigiPipelines_OffersAndRunsTheTeamPipelines_NextToTheExamples()
    {
        var assembly = PipelineAssemblyLoader.Load(TeamPipelines.AssemblyPath);
        await using var factory = Host();
        await using var host = factory.WithWebHostBuilder(web => web.ConfigureServices(services => services.AddLuigiPipelines(assembly)));

        var html = await host.CreateClient().GetStringAsync("/pipelines");

        Assert.Contains("data-testid=\"pipeline-InventorySnapshot\"", html);
        Assert.Contains("data-testid=\"pipeline-Reorder\"", html);
        Assert.Contains("data-testid=\"pipeline-DailySales\"", html);
        var registry = host.Services.GetRequiredService<PipelineRegistry>();
        Assert.Equal(["dataDir", "date", "warehouses"], registry.Find("InventorySnapshot")!.Parameters.Select(p => p.Name));

        var dataDir = Path.Combine(_scratch, "data");
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        var parameters = new Dictionary<string, string> { ["date"] = "2026-11-26", ["dataDir"] = dataDir };
        var runId = await executor.EnqueueAsync(new RunRequest("InventorySnapshot", parameters, RunTrigger.Api));

        Assert.Equal(RunState.Succeeded, await executor.WaitForRunAsync(runId).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(Path.Combine(dataDir, "snapshots", "inventory-2026-11-26.csv")));
    }

    [Fact]
    public async Task Host_OffersTheAssembliesOfTheSetting()
    {
        await using var factory = Host();
        await using var host = factory.WithWebHostBuilder(web => web.UseSetting("Luigi:Pipelines:Assemblies:0", TeamPipelines.AssemblyPath));

        var html = await host.CreateClient().GetStringAsync("/pipelines");

        Assert.Contains("data-testid=\"pipeline-InventorySnapshot\"", html);
        Assert.Contains("data-testid=\"pipeline-Reorder\"", html);
    }

    [Fact]
    public async Task Host_DoesNotStart_WhenAListedAssemblyIsMissing()
    {
        var missing = Path.Combine(_scratch, "Missing.Pipelines.dll");
        await using var factory = Host();
        await using var host = factory.WithWebHostBuilder(web => web.UseSetting("Luigi:Pipelines:Assemblies:0", missing));

        var exception = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        // The whole chain in the message if it is not the expected error: how the start failed is what matters then.
        Assert.True(exception.GetBaseException() is PipelineAssemblyException, exception.ToString());
        Assert.Equal(
            $"The pipeline assembly '{missing}' listed in Luigi:Pipelines:Assemblies:0 does not exist.",
            exception.GetBaseException().Message);
    }

    private LuigiWebFactory Host() => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(_scratch, "luigi.db")};Pooling=False");
}
