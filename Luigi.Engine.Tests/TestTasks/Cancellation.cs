namespace Luigi.Engine.Tests.TestTasks;

/// <summary>Helpers for tasks that run until they are told to stop.</summary>
public static class Cancellation
{
    /// <summary>
    /// Completes (as cancelled) when <paramref name="cancellationToken"/> fires, resuming on the thread
    /// that cancelled it, as most awaited I/O does. Fails after the guard otherwise.
    /// </summary>
    public static async Task WaitUntilCancelledAsync(CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource();
        await using (cancellationToken.Register(() => cancelled.TrySetCanceled(cancellationToken)))
        {
            await cancelled.Task.WaitAsync(TestTimeouts.Guard);
        }
    }
}
