using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Execution;

/// <summary>
/// A database that keeps runs for every host sharing it, as Hangfire's <c>JobStorage</c> is for its server: what a
/// <see cref="StoreExecutor"/> is made over. The store package (Luigi.Storage) has the one implementation,
/// <c>LuigiStore</c> (SQLite or PostgreSQL through EF Core); this package knows only that a store hands out a run queue,
/// so that a pipeline project referencing it pulls in no database driver.
/// </summary>
public abstract class RunStore
{
    private protected RunStore()
    {
    }

    /// <summary>The store's run queue, shared with every host of the store. <paramref name="resources"/> are the resources'
    /// totals (<see cref="LuigiEngineOptions.Resources"/>).</summary>
    internal abstract IRunQueue CreateQueue(TimeProvider time, IReadOnlyDictionary<string, int> resources, ILoggerFactory? loggers);
}
