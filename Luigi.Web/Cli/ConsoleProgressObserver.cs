using System.Collections.Concurrent;
using Luigi.Engine;
using Luigi.Engine.Events;
using Luigi.Engine.Execution;

namespace Luigi.Web.Cli;

/// <summary>
/// Prints each task change of a command-line run as one line, in memory or through a store. A task's duration is the time
/// between its Running and its Done, by the host's clock. Workers report at once: lines are written one at a time.
/// </summary>
internal sealed class ConsoleProgressObserver(TextWriter writer, TimeProvider time) : IRunObserver
{
    private readonly ConcurrentDictionary<(Guid Run, int Task), DateTime> _started = new();
    private readonly TextWriter _writer = TextWriter.Synchronized(writer);

    public void OnTaskChanged(TaskChange change)
    {
        TimeSpan? took = null;
        if (change.State == TaskState.Running)
        {
            _started[(change.RunId, change.TaskIndex)] = change.At;
        }
        else if (_started.TryRemove((change.RunId, change.TaskIndex), out var startedAt) && change.State == TaskState.Done)
        {
            took = change.At - startedAt;
        }

        var text = change.State switch
        {
            TaskState.Running => $"{change.TaskId} running (worker {change.Worker}, attempt {change.Attempt})",
            TaskState.Done => took is { } duration ? $"{change.TaskId} done in {duration.TotalSeconds:0.000} s" : $"{change.TaskId} done",
            TaskState.RetryWaiting => $"{change.TaskId} attempt {change.Attempt} failed, will retry: {change.ErrorSummary}",
            TaskState.Failed => $"{change.TaskId} FAILED: {change.ErrorSummary}",
            TaskState.UpstreamFailed => $"{change.TaskId} blocked by failed {change.BlockedBy}",
            TaskState.Cancelled => $"{change.TaskId} cancelled",
            TaskState.Waiting => $"{change.TaskId} waits: run {change.BlockedBy} is running it",
            _ => null,
        };
        if (text is not null)
        {
            _writer.WriteLine($"{time.GetLocalNow():HH:mm:ss.fff} {text}");
        }
    }

    public void OnRunFinished(Guid runId, RunState state) => _writer.WriteLine($"{time.GetLocalNow():HH:mm:ss.fff} run {runId} {state}");
}
