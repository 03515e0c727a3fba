namespace Luigi.Engine;

/// <summary>
/// The state of one task in one run. The same enum is used by the engine, the store, the API and
/// the dashboard, so that a state means the same thing everywhere.
/// </summary>
public enum TaskState
{
    /// <summary>Waiting for its requirements or for a free worker.</summary>
    Pending,

    /// <summary>An attempt is running on a worker.</summary>
    Running,

    /// <summary>The last attempt failed and the next one waits out the retry delay (holding no worker).</summary>
    RetryWaiting,

    /// <summary>Ran successfully in this run.</summary>
    Done,

    /// <summary>Found complete before the run (its outputs exist), so it was skipped.</summary>
    Complete,

    /// <summary>Every attempt failed, or resolving the task itself failed.</summary>
    Failed,

    /// <summary>Not run because something it requires failed.</summary>
    UpstreamFailed,

    /// <summary>Not run, or stopped, because the run was cancelled.</summary>
    Cancelled,

    /// <summary>
    /// Ready, but another run is running an attempt of the same task id (a task id runs in one attempt at a time across
    /// every run and host of a store). When that attempt ends, this task checks whether it is complete: complete, it is
    /// <see cref="Complete"/> without running; otherwise it runs. <c>BlockedBy</c> names the other run.
    /// </summary>
    Waiting,
}

/// <summary>Helpers over <see cref="TaskState"/>.</summary>
public static class TaskStateExtensions
{
    /// <summary>True for the states a task never leaves within a run.</summary>
    public static bool IsTerminal(this TaskState state) =>
        state is TaskState.Done or TaskState.Complete or TaskState.Failed
            or TaskState.UpstreamFailed or TaskState.Cancelled;

    /// <summary>True when dependents may start: the task ran or was already complete.</summary>
    public static bool IsSatisfied(this TaskState state) => state is TaskState.Done or TaskState.Complete;
}
