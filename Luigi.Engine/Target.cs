namespace Luigi.Engine;

/// <summary>
/// Something a task produces whose existence can be checked. A task is complete when all its targets
/// exist, so a target must only exist once it is whole.
/// </summary>
public abstract class Target
{
    /// <summary>True when the target exists (and so the task that produces it need not run).</summary>
    public abstract ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default);
}
