using Luigi.Engine;
using Luigi.Engine.Events;

namespace Luigi.Web.Cli;

/// <summary>Prints each task transition of a command-line run as one line.</summary>
internal sealed class ConsoleProgressObserver(TextWriter writer, TimeProvider time) : IExecutionObserver
{
    public ValueTask OnTransitionAsync(TaskTransition transition, CancellationToken cancellationToken)
    {
        var node = transition.Node;
        var attempt = transition.Attempt > 0 ? node.Attempts[transition.Attempt - 1] : null;
        var text = transition.To switch
        {
            TaskState.Running => $"{node.TaskId} running (worker {attempt?.Worker}, attempt {transition.Attempt})",
            TaskState.Done => $"{node.TaskId} done in {attempt?.Duration?.TotalSeconds:0.000} s",
            TaskState.RetryWaiting => $"{node.TaskId} attempt {transition.Attempt} failed, will retry: {FirstLine(attempt?.Error)}",
            TaskState.Failed => $"{node.TaskId} FAILED: {node.ErrorSummary}",
            TaskState.UpstreamFailed => $"{node.TaskId} blocked by failed {node.BlockedBy}",
            TaskState.Cancelled => $"{node.TaskId} cancelled",
            _ => null,
        };
        if (text is not null)
        {
            writer.WriteLine($"{time.GetLocalNow():HH:mm:ss.fff} {text}");
        }

        return ValueTask.CompletedTask;
    }

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n', 2)[0].TrimEnd('\r');
}
