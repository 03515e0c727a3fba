namespace Luigi.Engine;

/// <summary>
/// Data produced outside this system (a file dropped by another team, a table loaded by another tool).
/// It is never run, only checked: when its outputs are missing it fails with a message saying what is
/// missing, and everything that requires it is blocked.
/// </summary>
public abstract class ExternalTask : LuigiTask
{
    /// <inheritdoc />
    public sealed override IEnumerable<LuigiTask> Requires() => [];

    /// <inheritdoc />
    public sealed override System.Threading.Tasks.Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
        throw new ExternalDependencyMissingException(this);
}

/// <summary>An external task's outputs do not exist, so what requires it cannot run.</summary>
public sealed class ExternalDependencyMissingException(ExternalTask task)
    : Exception($"External dependency {task.TaskId} is missing: {string.Join(", ", task.Output())} does not exist.");
