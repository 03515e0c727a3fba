using Luigi.Engine.Events;
using Luigi.Engine.Storage;

namespace Luigi.Engine.Tests.TestTasks;

/// <summary>The run queues the one executor runs on, each of which passes the engine's semantics suite.</summary>
public enum QueueKind
{
    /// <summary>In memory (<c>MemoryRunQueue</c>): <see cref="LuigiEngine"/>, <c>--store memory</c>.</summary>
    Memory,

    /// <summary>The store's SQL queue on a SQLite file of the test's own (<c>RunQueue</c>), one host.</summary>
    Sqlite,
}

/// <summary>
/// Builds engines for a test over one kind of run queue. With <see cref="QueueKind.Sqlite"/>, every engine of the test
/// shares one new SQLite store (so a second run of a test sees the first, as a store's runs do).
/// </summary>
public sealed class Engines(QueueKind queue) : IAsyncDisposable
{
    private readonly TempDirectory? _folder = queue == QueueKind.Sqlite ? new TempDirectory() : null;
    private LuigiStore? _store;

    public QueueKind Queue => queue;

    /// <summary>Creates and migrates the store the engines use, if any.</summary>
    public async Task InitializeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        _store = LuigiStore.Create(new StoreOptions
        {
            Provider = StoreProvider.Sqlite,
            ConnectionString = $"Data Source={_folder.File("luigi.db")};Pooling=False",
        });
        await _store.MigrateAsync();
    }

    public LuigiEngine Create(int workers, TimeProvider? time = null, params IRunObserver[] observers) =>
        Create(new LuigiEngineOptions { Workers = workers }, time, observers);

    public LuigiEngine Create(LuigiEngineOptions options, TimeProvider? time = null, params IRunObserver[] observers) =>
        Create(options, services: null, time, observers);

    /// <summary>An engine whose tasks get <paramref name="services"/> (<see cref="TaskContext.Services"/>).</summary>
    public LuigiEngine Create(LuigiEngineOptions options, IServiceProvider? services, TimeProvider? time = null, params IRunObserver[] observers) =>
        _store is null
            ? new LuigiEngine(options, time, loggers: null, observers, services)
            : new LuigiEngine(options, time, loggers: null, observers, clock => new RunQueue(_store, clock, shared: false, options.Resources), services);

    /// <summary>Asserts success, showing the execution summary (with the errors) when it did not.</summary>
    public static void AssertSucceeded(RunResult result)
    {
        Assert.True(result.Succeeded, result.Summary.ToString());
        Assert.Equal(0, result.ExitCode);
    }

    public ValueTask DisposeAsync()
    {
        _folder?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Shorthands for running an engine in tests.</summary>
public static class EngineRuns
{
    /// <summary>Runs to the end, failing the test instead of hanging if the run never ends.</summary>
    public static Task<RunResult> RunToEndAsync(this LuigiEngine engine, IEnumerable<LuigiTask> roots, CancellationToken cancellationToken = default) =>
        engine.RunAsync(roots, cancellationToken).WaitAsync(TestTimeouts.Guard);
}

/// <summary>
/// A test class that runs pipelines: its <see cref="Engines"/> build engines over the queue it was made for. The semantics
/// suite's classes are abstract and run once per queue (see <c>OnEveryQueue.cs</c>).
/// </summary>
public abstract class EngineTests(QueueKind queue) : IAsyncLifetime
{
    protected Engines Engines { get; } = new(queue);

    Task IAsyncLifetime.InitializeAsync() => Engines.InitializeAsync();

    Task IAsyncLifetime.DisposeAsync() => Engines.DisposeAsync().AsTask();
}
