using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Execution;

/// <summary>
/// Runs one attempt of one task and decides how it ended, the same way for every executor: the
/// attempt's token fires when the run is cancelled or the task's timeout passes; a timeout becomes a
/// <see cref="TimeoutException"/>; a failure with retries left (and the run not cancelled) is
/// <see cref="TaskState.RetryWaiting"/>, otherwise <see cref="TaskState.Failed"/>. A check of an external task that waits
/// for its data (<see cref="ExternalTask.WaitFor"/>) and found it missing is RetryWaiting until its next check, whatever
/// its retry policy, and Failed ("never arrived") once the deadline, counted from <c>runStarted</c>, has passed.
/// </summary>
/// The attempt gets a scope of the host's services (<see cref="TaskContext.Services"/>), disposed when it ends, and is
/// the current attempt of its flow for <see cref="TaskLogProvider"/>.
internal sealed class AttemptRunner(TimeProvider time, ILoggerFactory loggers, LuigiEngineOptions options, IServiceProvider services)
{
    public async ValueTask<AttemptOutcome> RunAsync(
        LuigiTask task, string taskId, string runId, AttemptRecord attempt, TimeSpan? timeout, RetryPolicy retry, CancellationToken runToken,
        DateTimeOffset? runStarted = null, Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlySet<string>>>? satisfiedInRun = null,
        Func<CancellationToken, Task<int>>? suspendedAttempts = null)
    {
        Exception? error = null;
        var timedOut = false;
        using (var timeoutSource = timeout is { } limit ? new CancellationTokenSource(limit, time) : null)
        using (var linked = timeoutSource is null ? null : CancellationTokenSource.CreateLinkedTokenSource(runToken, timeoutSource.Token))
        {
            var token = linked?.Token ?? runToken;
            var logger = new AttemptLogger(taskId, attempt, loggers.CreateLogger("Luigi.Tasks." + task.Family), time,
                options.MaxLogLinesPerAttempt, options.MaxLogLineLength);
            var scope = services.CreateAsyncScope();
            var context = new TaskContext(task, runId, attempt.Number, attempt.Worker, logger, scope.ServiceProvider, satisfiedInRun);
            TaskLogProvider.Current.Value = logger;
            try
            {
                await (task.RunAsync(context, token)
                    ?? throw new InvalidOperationException($"{taskId}.RunAsync returned null instead of a task.")).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                error = exception;
                timedOut = timeoutSource?.IsCancellationRequested == true && !runToken.IsCancellationRequested;
            }
            finally
            {
                TaskLogProvider.Current.Value = null;
                error = await DisposeAsync(scope, taskId, error).ConfigureAwait(false);
            }
        }

        if (error is OperationCanceledException && timedOut)
        {
            error = new TimeoutException($"{taskId} attempt {attempt.Number} timed out after {timeout}.", error);
        }

        var finishedAt = time.GetUtcNow();
        if (error is DynamicRequirementsPendingException pending && !runToken.IsCancellationRequested)
        {
            return new AttemptOutcome(TaskState.Pending, null, finishedAt, null) { Requested = pending.Tasks }; // suspended, not failed
        }

        if (error is ExternalDataMissingException missing && missing.Task.WaitFor is { } policy && !runToken.IsCancellationRequested)
        {
            var started = runStarted ?? attempt.StartedAt;
            return policy.NextCheck(started, finishedAt) is { } next
                ? new AttemptOutcome(TaskState.RetryWaiting, new ExternalDataMissingException(missing.Task, next, policy.DeadlineFor(started)), finishedAt, next)
                : new AttemptOutcome(TaskState.Failed, missing.NeverArrived(policy), finishedAt, null);
        }

        // The failure's rank among the task's failed attempts: a suspended attempt uses none of its retries.
        var failed = error is null || runToken.IsCancellationRequested || suspendedAttempts is null
            ? attempt.Number
            : attempt.Number - await suspendedAttempts(runToken).ConfigureAwait(false);
        var outcome = error switch
        {
            null => TaskState.Done,
            OperationCanceledException or DynamicRequirementsPendingException or ExternalDataMissingException when runToken.IsCancellationRequested => TaskState.Cancelled,
            _ when !runToken.IsCancellationRequested && retry.ShouldRetry(failed) => TaskState.RetryWaiting,
            _ => TaskState.Failed,
        };
        var retryAt = outcome == TaskState.RetryWaiting ? finishedAt + retry.DelayAfter(failed) : (DateTimeOffset?)null;
        return new AttemptOutcome(outcome, error, finishedAt, retryAt);
    }

    /// <summary>Disposes the attempt's scope; a service that fails to dispose fails the attempt (its work may not be
    /// committed), unless the attempt already failed.</summary>
    private static async ValueTask<Exception?> DisposeAsync(AsyncServiceScope scope, string taskId, Exception? error)
    {
        try
        {
            await scope.DisposeAsync().ConfigureAwait(false);
            return error;
        }
        catch (Exception exception)
        {
            return error ?? new InvalidOperationException($"{taskId}: a service of its attempt failed to dispose: {exception.Message}", exception);
        }
    }
}

/// <summary>How an attempt ended.</summary>
/// <param name="State">Done, Cancelled, RetryWaiting or Failed; Pending when the attempt was suspended for <see cref="Requested"/>.</param>
/// <param name="Error">What it threw, if anything.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="RetryAt">For RetryWaiting: when the next attempt may start.</param>
internal sealed record AttemptOutcome(TaskState State, Exception? Error, DateTimeOffset FinishedAt, DateTimeOffset? RetryAt)
{
    /// <summary>
    /// The error as the attempt keeps it: the engine's own messages about an external task's data (missing, not arrived
    /// yet, never arrived) as they are, since they say all there is and a type name or stack trace would only bury them on
    /// the page and in the e-mail; anything else with its type and stack trace.
    /// </summary>
    public string? ErrorText => Error switch
    {
        null => null,
        ExternalDependencyMissingException or ExternalDataMissingException or ExternalDataNeverArrivedException => Error.Message,
        _ => Error.ToString(),
    };

    /// <summary>The tasks a suspended attempt required at run time (see <see cref="TaskContext.RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/>).</summary>
    public IReadOnlyList<LuigiTask>? Requested { get; init; }
}
