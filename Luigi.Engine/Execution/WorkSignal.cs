namespace Luigi.Engine.Execution;

/// <summary>Wakes every idle worker at once when work may have appeared; waiters also give up after a timeout.</summary>
internal sealed class WorkSignal
{
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised by every <see cref="Pulse"/>, for listeners that keep their own wake-up state.</summary>
    public event Action? Pulsed;

    public void Pulse()
    {
        Interlocked.Exchange(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        Pulsed?.Invoke();
    }

    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _pulse).Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Look again anyway: another host may have made work ready.
        }
    }
}
