namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// A task whose family (and so task id) is its name in a <see cref="GraphScript"/>, e.g. <c>TaskA</c>, and
/// whose behaviour comes from its <see cref="TaskSpec"/>. Every run records its start and end.
/// </summary>
public sealed class ScriptedTask(GraphScript script, TaskSpec spec) : LuigiTask
{
    public override string Family => spec.Name;

    public override int Priority => spec.Priority;

    public override RetryPolicy? Retry => spec.Retry;

    public override TimeSpan? Timeout => spec.Timeout;

    /// <summary>Fresh instances on every call, as a real task would build them: the engine merges them by id.</summary>
    public override IEnumerable<LuigiTask> Requires() =>
        spec.Requirements.Select(script.Create).Concat(spec.OtherRequirements.Select(create => create())).ToArray();

    public override IEnumerable<Target> Output() => spec.HasOutput ? [script.Store.Target(spec.Name)] : [];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        script.Recorder.Started(spec.Name);
        try
        {
            if (spec.Body is { } body)
            {
                await body(context, cancellationToken);
            }
            else
            {
                await Task.Yield();
            }

            if (spec.HasOutput)
            {
                script.Store.Set(spec.Name, "done");
            }
        }
        finally
        {
            script.Recorder.Ended(spec.Name);
        }
    }
}
