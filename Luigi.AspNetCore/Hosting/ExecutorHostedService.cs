using Luigi.Engine.Storage;
using Luigi.Engine.Execution;

namespace Luigi.Web.Hosting;

/// <summary>
/// Runs this host's <see cref="StoreExecutor"/> for the lifetime of the web host. The store's migrations
/// are applied before the host starts serving (unless <c>Luigi:Store:MigrateOnStart</c> is false).
/// </summary>
internal sealed class ExecutorHostedService(LuigiStore store, StoreOptions storeOptions, StoreExecutor executor, ILogger<ExecutorHostedService> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (storeOptions.MigrateOnStart)
        {
            await store.MigrateAsync(cancellationToken);
        }

        await executor.RegisterAsync(cancellationToken);
        logger.LogInformation("Host {Host} runs {Workers} workers on the {Provider} store", executor.Host.Id, executor.Host.Workers, store.Provider);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => executor.RunAsync(stoppingToken);
}
