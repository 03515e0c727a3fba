namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// Releases its participants only once all of them have arrived, which proves they were running at
/// the same time. A participant that waits past <see cref="TestTimeouts.Guard"/> gets a
/// <see cref="TimeoutException"/> (so a serial engine fails the test instead of hanging it).
/// </summary>
public sealed class AsyncBarrier(int participants)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public Task SignalAndWaitAsync()
    {
        if (Interlocked.Increment(ref _arrived) == participants)
        {
            _all.TrySetResult();
        }

        return _all.Task.WaitAsync(TestTimeouts.Guard);
    }
}
