using Luigi.Engine;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Dashboard;

/// <summary>One step in a task's life within a run.</summary>
/// <param name="At">When, when known.</param>
/// <param name="State">The state it entered.</param>
/// <param name="Text">What happened, in words.</param>
public sealed record HistoryStep(DateTime? At, TaskState State, string Text);

/// <summary>A task's state history, told from its attempts (the store keeps attempts, not every transition).</summary>
public static class TaskHistory
{
    /// <summary>The steps of <paramref name="detail"/>, oldest first.</summary>
    public static IReadOnlyList<HistoryStep> For(TaskDetail detail)
    {
        var task = detail.Task;
        var steps = new List<HistoryStep>();
        if (task.State == TaskState.Complete)
        {
            steps.Add(new HistoryStep(null, TaskState.Complete, "Found complete (its outputs exist), so skipped."));
        }

        for (var i = 0; i < detail.Attempts.Count; i++)
        {
            var attempt = detail.Attempts[i];
            var where = attempt.HostId is null ? "" : $" on {attempt.HostId}, worker {attempt.Worker}";
            steps.Add(new HistoryStep(attempt.StartedAt, TaskState.Running, $"Attempt {attempt.Number} started{where}."));
            if (attempt.FinishedAt is not { } finished)
            {
                continue;
            }

            var retried = i + 1 < detail.Attempts.Count || (i + 1 == detail.Attempts.Count && task.State == TaskState.RetryWaiting);
            steps.Add(attempt.Outcome switch
            {
                TaskState.Done => new HistoryStep(finished, TaskState.Done, $"Attempt {attempt.Number} succeeded."),
                TaskState.Failed when retried => new HistoryStep(finished, TaskState.RetryWaiting,
                    $"Attempt {attempt.Number} failed: {Format.FirstLine(attempt.Error)} Waiting to retry."),
                TaskState.Failed => new HistoryStep(finished, TaskState.Failed, $"Attempt {attempt.Number} failed: {Format.FirstLine(attempt.Error)}"),
                TaskState.Pending => new HistoryStep(finished, TaskState.Pending,
                    $"Attempt {attempt.Number} suspended: it required tasks found at run time. The next attempt resumes it once they are done."),
                var other => new HistoryStep(finished, other, $"Attempt {attempt.Number} ended: {StateStyle.Label(other)}."),
            });
        }

        if (task.State == TaskState.UpstreamFailed)
        {
            steps.Add(new HistoryStep(task.FinishedAt, TaskState.UpstreamFailed, $"Not run: {task.BlockedBy ?? "a requirement"} failed."));
        }
        else if (task.State == TaskState.Cancelled && detail.Attempts.Count == 0)
        {
            steps.Add(new HistoryStep(task.FinishedAt, TaskState.Cancelled, "Not run: the run was cancelled."));
        }
        else if (task.State == TaskState.Failed && detail.Attempts.Count == 0)
        {
            steps.Add(new HistoryStep(task.FinishedAt, TaskState.Failed, $"Failed before running: {Format.FirstLine(detail.Error)}"));
        }

        return steps;
    }
}
