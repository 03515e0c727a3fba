using Luigi.Engine;
using Luigi.Engine.Events;
using Luigi.Engine.Execution;

namespace Luigi.Web.Cli;

/// <summary>Prints each task transition of a command-line run as one line, in memory or through a store.</summary>
internal sealed class ConsoleProgressObserver(TextWriter writer, TimeProvider time) : IExecutionObserver, IStoreObserver
{
    public ValueTask OnTransitionAsync(TaskTransition transition, CancellationToken cancellationToken)
    {
        var node = transition.Node;
        var attempt = transition.Attempt > 0 ? node.Attempts[transition.Attempt - 1] : null;
        var error = transition.To == TaskState.RetryWaiting ? FirstLine(attempt?.Error) : node.ErrorSummary;
        Write(node.TaskId, transition.To, transition.Attempt, attempt?.Worker, error, node.BlockedBy, attempt?.Duration);
        return ValueTask.CompletedTask;
    }

    public void OnTaskChanged(TaskChange change) =>
        Write(change.TaskId, change.State, change.Attempt, change.Worker, change.ErrorSummary, change.BlockedBy, null);

    public void OnRunFinished(Guid runId, RunState state) => writer.WriteLine($"{time.GetLocalNow():HH:mm:ss.fff} run {runId} {state}");

    private void Write(string taskId, TaskState state, int attempt, int? worker, string? error, string? blockedBy, TimeSpan? duration)
    {
        var text = state switch
        {
            TaskState.Running => $"{taskId} running (worker {worker}, attempt {attempt})",
            TaskState.Done => duration is { } took ? $"{taskId} done in {took.TotalSeconds:0.000} s" : $"{taskId} done",
            TaskState.RetryWaiting => $"{taskId} attempt {attempt} failed, will retry: {error}",
            TaskState.Failed => $"{taskId} FAILED: {error}",
            TaskState.UpstreamFailed => $"{taskId} blocked by failed {blockedBy}",
            TaskState.Cancelled => $"{taskId} cancelled",
            TaskState.Waiting => $"{taskId} waits: run {blockedBy} is running it",
            _ => null,
        };
        if (text is not null)
        {
            writer.WriteLine($"{time.GetLocalNow():HH:mm:ss.fff} {text}");
        }
    }

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');
}
