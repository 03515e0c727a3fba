using Luigi.Engine.Storage;

namespace Luigi.Web.Tests.Storage;

/// <summary>A store executor running for the duration of a test, stopped (and its tasks given back) on dispose.</summary>
internal sealed class RunningHost : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public RunningHost(LuigiStore store, StoreExecutor? executor = null)
    {
        Executor = executor ?? StoreFactory.Executor(store);
        _running = Executor.RunAsync(_stop.Token);
    }

    public StoreExecutor Executor { get; }

    /// <summary>Waits, within <see cref="Guard"/>, for the run to end.</summary>
    public Task<RunState> WaitAsync(Guid runId) => Executor.WaitForRunAsync(runId).WaitAsync(Guard);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }
}
