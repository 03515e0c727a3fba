using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Execution;

/// <summary>
/// Carries a host's store operations through outages of the database: an operation that fails because the
/// database cannot be reached is tried again with exponential backoff (up to
/// <see cref="StoreExecutorOptions.MaxRetryDelay"/> between tries), each failure logged, so that a database
/// that goes away stalls the host instead of failing its runs or losing the outcomes it has computed. The first
/// operation that gets through after failing wakes every other one waiting to try again, so the host resumes as soon as
/// one of its operations finds the database back (the heartbeat tries at least once a heartbeat interval) rather than
/// at each operation's next backoff step. What only the database's driver can tell (an error in the data itself, a pool of
/// dead connections to drop) is asked of the run queue (<see cref="IRunQueue.IsDataError"/>,
/// <see cref="IRunQueue.ForgetBrokenConnections"/>), so that this class needs no driver.
/// </summary>
internal sealed class DatabaseRetry(ILogger logger, TimeProvider time, StoreExecutorOptions options, IRunQueue queue)
{
    private TaskCompletionSource _back = NewSignal();

    /// <summary>
    /// Runs a store operation, retrying with exponential backoff while the database cannot be reached.
    /// Gives up when <paramref name="stoppingToken"/> fires (returning the default) unless
    /// <paramref name="untilStopped"/> is false, in which case an outcome already computed keeps being
    /// retried until it is written or the host is stopped hard. <c>onTransient</c> is called at each transient failure.
    /// <paramref name="maxDelay"/> caps the wait between tries below <see cref="StoreExecutorOptions.MaxRetryDelay"/>, for an
    /// operation that must notice the database's return within that long.
    /// </summary>
    public async Task<T?> RunAsync<T>(
        string what, Func<CancellationToken, Task<T>> operation, CancellationToken stoppingToken, bool untilStopped = true, int attempts = int.MaxValue,
        Func<Exception, bool>? isTransient = null, Action? onTransient = null, TimeSpan? maxDelay = null)
    {
        var longest = maxDelay is { } cap && cap < options.MaxRetryDelay ? cap : options.MaxRetryDelay;
        isTransient ??= IsTransient;
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            var token = untilStopped ? stoppingToken : CancellationToken.None;
            try
            {
                var result = await operation(token).ConfigureAwait(false);
                if (attempt > 1)
                {
                    Interlocked.Exchange(ref _back, NewSignal()).TrySetResult(); // the database is back: wake the others
                }

                return result;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return default;
            }
            catch (Exception exception) when (isTransient(exception) && attempt < attempts)
            {
                logger.LogWarning(exception, "Could not {What} (try {Attempt}); retrying in {Delay}", what, attempt, delay);
                onTransient?.Invoke();
                queue.ForgetBrokenConnections(exception);
                var back = Volatile.Read(ref _back).Task;
                await Task.WhenAny(Task.Delay(delay, time, token), back).ConfigureAwait(false);
                if (token.IsCancellationRequested)
                {
                    return default;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, longest.Ticks));
            }
        }
    }

    /// <summary>As <see cref="RunAsync{T}"/>, for an operation without a result: true once it ran, false when it
    /// gave up because <paramref name="stoppingToken"/> fired.</summary>
    public Task<bool> RunAsync(string what, Func<CancellationToken, Task> operation, CancellationToken stoppingToken, int attempts = int.MaxValue) =>
        RunAsync(what, async ct =>
        {
            await operation(ct).ConfigureAwait(false);
            return true;
        }, stoppingToken, attempts: attempts);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The database could not be reached or answered in time (EF wraps these in InvalidOperationException).</summary>
    public static bool IsTransient(Exception exception) =>
        exception is DbException or TimeoutException || exception.InnerException is DbException or TimeoutException;

    /// <summary>
    /// As <see cref="IsTransient"/>, except for errors in the data itself (<see cref="IRunQueue.IsDataError"/>): such
    /// an error belongs to one outcome of the group and would come back on every try, so the group is not
    /// retried but committed again outcome by outcome, and only the faulty one is lost (and logged).
    /// </summary>
    public bool IsTransientForGroup(Exception exception) => IsTransient(exception) && !queue.IsDataError(exception);
}
