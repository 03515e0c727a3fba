using Luigi.Engine;

namespace Luigi.Web.Examples.Seed;

/// <summary>
/// One task of a seed graph, named as in the source document (TaskA, TaskB, ...). It has no outputs, so
/// it is never complete and runs every time, as a Luigi task without outputs would.
/// </summary>
public sealed class SeedTask : LuigiTask
{
    public required string Name { get; init; }

    public required SeedSettings Settings { get; init; }

    /// <inheritdoc />
    public override string Family => Name;

    /// <inheritdoc />
    public override RetryPolicy Retry => Settings.Retry;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires() =>
        Settings.Graph.TryGetValue(Name, out var requirements)
            ? requirements.Select(name => new SeedTask { Name = name, Settings = Settings })
            : [];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.Log($"{Name} starts working for {Settings.DelayMs} ms (attempt {context.Attempt}).");
        await Task.Delay(Settings.DelayMs, cancellationToken);
        if (string.Equals(Name, Settings.FailTask, StringComparison.OrdinalIgnoreCase) && context.Attempt <= Settings.FailTimes)
        {
            throw new InvalidOperationException(
                $"{Name} failed on purpose (attempt {context.Attempt}; it fails the first {Settings.FailTimes}).");
        }

        context.Log($"{Name} finished.");
    }
}
