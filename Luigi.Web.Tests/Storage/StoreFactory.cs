using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Storage;

/// <summary>A fresh, migrated store of either provider: a temporary SQLite file or a new PostgreSQL database.</summary>
public sealed class StoreFactory(PostgresServer postgres) : IDisposable
{
    private readonly List<string> _files = [];

    public static PipelineRegistry Pipelines { get; } = new PipelineRegistry()
        .Add(typeof(CountingPipeline)).Add(typeof(BlockingPipeline)).Add(typeof(CyclicPipeline)).Add(typeof(ChattyPipeline))
        .Add(typeof(NulErrorPipeline)).Add(typeof(LongAfterShortPipeline));

    /// <summary>
    /// Short polling and heartbeats so that tests finish quickly, with a realistic lease: a host that is merely slow on a
    /// loaded machine keeps its tasks, so "runs exactly once" holds for the right reason. Tests about a lapsed lease make it
    /// lapse themselves (a claim with a lease of a millisecond, a heartbeat by a clock in the past), never by waiting.
    /// </summary>
    public static StoreExecutorOptions FastOptions() => new()
    {
        Lease = TimeSpan.FromSeconds(30),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary><see cref="FastOptions"/> with a lease of 2 s, for the fault tests whose outage must outlast a lease.</summary>
    public static StoreExecutorOptions ShortLeaseOptions()
    {
        var options = FastOptions();
        options.Lease = TimeSpan.FromSeconds(2);
        return options;
    }

    public async Task<LuigiStore> CreateAsync(StoreProvider provider)
    {
        StoreOptions options;
        if (provider == StoreProvider.Postgres)
        {
            options = new StoreOptions { Provider = provider, ConnectionString = await postgres.CreateDatabaseAsync() };
        }
        else
        {
            var file = Path.Combine(Path.GetTempPath(), $"luigi-test-{Guid.NewGuid():N}.db");
            _files.Add(file);
            options = new StoreOptions { Provider = provider, ConnectionString = $"Data Source={file};Pooling=False" };
        }

        var store = LuigiStore.Create(options);
        await store.MigrateAsync();
        return store;
    }

    public static StoreExecutor Executor(
        LuigiStore store, int workers = 2, StoreExecutorOptions? options = null, string? name = null, int maxLogLines = 10_000) =>
        new(store, Pipelines, new LuigiEngineOptions { Workers = workers, MaxLogLinesPerAttempt = maxLogLines }, options ?? FastOptions(), hostName: name);

    public void Dispose()
    {
        foreach (var file in _files)
        {
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }
}
