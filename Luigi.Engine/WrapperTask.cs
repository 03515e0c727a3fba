namespace Luigi.Engine;

/// <summary>
/// A task that only groups others: it has no work of its own and is complete when everything it
/// requires is complete.
/// </summary>
public abstract class WrapperTask : LuigiTask
{
    /// <inheritdoc />
    public override ValueTask<bool> CompleteAsync(CancellationToken cancellationToken) => RequirementsCompleteAsync(cancellationToken);

    /// <inheritdoc />
    public sealed override System.Threading.Tasks.Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
        System.Threading.Tasks.Task.CompletedTask;
}
