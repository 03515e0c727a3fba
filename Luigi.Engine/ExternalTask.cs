namespace Luigi.Engine;

/// <summary>
/// Data produced outside this system (a file dropped by another team, a table loaded by another tool).
/// It is never run, only checked: when its outputs are missing it fails with a message saying what is
/// missing, and everything that requires it is blocked. With a <see cref="WaitFor"/> policy it waits for them
/// instead: it is checked again every interval, holding no worker, until they arrive or the deadline passes.
/// </summary>
public abstract class ExternalTask : LuigiTask
{
    /// <inheritdoc />
    public sealed override IEnumerable<LuigiTask> Requires() => [];

    /// <summary>How long to wait for the outputs when they are missing; null (the default) fails at once, as in Luigi.</summary>
    public virtual WaitFor? WaitFor => null;

    /// <summary>
    /// A check for the outputs: returns when they exist (the task is then <see cref="TaskState.Done"/>); otherwise throws
    /// <see cref="ExternalDataMissingException"/>, which the executor turns into the next check or, past the deadline, a failure.
    /// </summary>
    public sealed override async System.Threading.Tasks.Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (!await CompleteAsync(cancellationToken).ConfigureAwait(false))
        {
            throw WaitFor is null ? new ExternalDependencyMissingException(this) : new ExternalDataMissingException(this);
        }

        context.Log($"Arrived: {string.Join(", ", Output())}");
    }
}

/// <summary>An external task's outputs do not exist, so what requires it cannot run.</summary>
public sealed class ExternalDependencyMissingException(ExternalTask task)
    : Exception($"External dependency {task.TaskId} is missing: {string.Join(", ", task.Output())} does not exist.");

/// <summary>A check of an external task that waits (<see cref="ExternalTask.WaitFor"/>) found its outputs missing;
/// <paramref name="nextCheck"/> is when it is checked again and <paramref name="deadline"/> when it gives up, once the
/// executor has decided.</summary>
public sealed class ExternalDataMissingException(ExternalTask task, DateTimeOffset? nextCheck = null, DateTimeOffset? deadline = null)
    : Exception($"{task.TaskId} has not arrived yet: {string.Join(", ", task.Output())}"
        + (nextCheck is { } next ? $"; next check at {next.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "")
        + (deadline is { } until ? $", gives up at {until.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : ""))
{
    /// <summary>When the task gives up waiting, when the executor has decided.</summary>
    public DateTimeOffset? Deadline { get; } = deadline;

    /// <summary>The task checked.</summary>
    public ExternalTask Task { get; } = task;

    /// <summary>The failure once the deadline has passed: what never arrived.</summary>
    internal ExternalDataNeverArrivedException NeverArrived(WaitFor policy) =>
        new($"{Task.TaskId} never arrived: {string.Join(", ", Task.Output())} (checked every {policy.Every} for {policy.UpTo} from the start of the run)");
}

/// <summary>An external task that waited for its data (<see cref="ExternalTask.WaitFor"/>) gave up at its deadline: the
/// message says what never arrived, and is the whole of the task's error (no stack trace: nothing in the task threw).</summary>
public sealed class ExternalDataNeverArrivedException(string message) : TimeoutException(message);
