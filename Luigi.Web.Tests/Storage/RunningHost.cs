using Luigi.Engine.Storage;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Storage;

/// <summary>A store executor running for the duration of a test, stopped (and its tasks given back) on dispose.</summary>
internal sealed class RunningHost : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _disposed;

    public RunningHost(LuigiStore store, StoreExecutor? executor = null)
    {
        Executor = executor ?? StoreFactory.Executor(store);
        _running = Executor.RunAsync(_stop.Token);
    }

    public StoreExecutor Executor { get; }

    /// <summary>Waits, within <see cref="Guard"/>, for the run to end.</summary>
    public Task<RunState> WaitAsync(Guid runId) => Executor.WaitForRunAsync(runId).WaitAsync(Guard);

    /// <summary>Stops the host (once; later calls do nothing) and waits for it to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }
}
