namespace Luigi.Engine;

/// <summary>
/// A task that only groups others: it has no work of its own and is complete when everything it
/// requires is complete.
/// </summary>
public abstract class WrapperTask : LuigiTask
{
    /// <inheritdoc />
    public override async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var requirement in Requires())
        {
            if (!await requirement.CompleteAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public sealed override System.Threading.Tasks.Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
        System.Threading.Tasks.Task.CompletedTask;
}
