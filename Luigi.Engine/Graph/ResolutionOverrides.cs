namespace Luigi.Engine.Graph;

/// <summary>
/// Completeness decided by a re-run instead of by the tasks' own checks: <see cref="Force"/> tasks run
/// even if complete (a task and everything downstream of it); <see cref="AssumeComplete"/> tasks are
/// taken as complete without a check (what already succeeded in the run being repeated, for a re-run of
/// the failed tasks only). Force wins when a task is in both.
/// </summary>
public sealed record ResolutionOverrides(IReadOnlySet<string> Force, IReadOnlySet<string> AssumeComplete)
{
    /// <summary>True or false when the re-run decides; null when the task's own check decides.</summary>
    public bool? Decide(string taskId) =>
        Force.Contains(taskId) ? false : AssumeComplete.Contains(taskId) ? true : null;
}
