namespace Luigi.Engine.Tests.TestTasks;

/// <summary>How one <see cref="ScriptedTask"/> behaves: what it requires, what it does, its settings.</summary>
public sealed class TaskSpec(string name)
{
    public string Name { get; } = name;

    public List<string> Requirements { get; } = [];

    /// <summary>Requirements that are not scripted tasks (external tasks, tasks that misbehave, ...).</summary>
    public List<Func<LuigiTask>> OtherRequirements { get; } = [];

    public Func<TaskContext, CancellationToken, Task>? Body { get; private set; }

    public int Priority { get; private set; }

    public RetryPolicy? Retry { get; private set; }

    public TimeSpan? Timeout { get; private set; }

    /// <summary>When set, the task outputs an in-memory target named after it, written when it succeeds.</summary>
    public bool HasOutput { get; private set; }

    public TaskSpec Requires(params string[] names)
    {
        Requirements.AddRange(names);
        return this;
    }

    public TaskSpec RequiresTask(Func<LuigiTask> create)
    {
        OtherRequirements.Add(create);
        return this;
    }

    public TaskSpec Runs(Func<TaskContext, CancellationToken, Task> body)
    {
        Body = body;
        return this;
    }

    /// <summary>Fails the first <paramref name="failures"/> attempts with an <see cref="InvalidOperationException"/>, then succeeds.</summary>
    public TaskSpec FailsFirst(int failures, string message = "boom")
    {
        var attempts = 0;
        return Runs((_, _) => Interlocked.Increment(ref attempts) <= failures
            ? throw new InvalidOperationException(message)
            : Task.CompletedTask);
    }

    public TaskSpec WithPriority(int priority)
    {
        Priority = priority;
        return this;
    }

    public TaskSpec WithRetry(RetryPolicy retry)
    {
        Retry = retry;
        return this;
    }

    public TaskSpec WithTimeout(TimeSpan timeout)
    {
        Timeout = timeout;
        return this;
    }

    public TaskSpec WithOutput()
    {
        HasOutput = true;
        return this;
    }
}
