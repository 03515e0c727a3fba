using Luigi.Engine;

namespace Luigi.Web.Tests.Email;

/// <summary>
/// Independent tasks, some of which fail every attempt: <see cref="Fail"/> names them (comma-separated, or
/// <c>*</c> for all). Every task carries <see cref="Note"/> as a significant parameter, so it shows in ids and e-mail.
/// With <see cref="Dependents"/> above 0, each task has that many dependents (<see cref="EmailDependent"/>), which
/// a failure blocks. With <see cref="Discover"/>, one <see cref="EmailDiscoverer"/> requires the tasks at run time instead;
/// with <see cref="AwaitExport"/>, an <see cref="EmailExport"/> that never arrives is waited for (with no time to wait) as well.
/// </summary>
public sealed class EmailTestPipeline : Pipeline
{
    [Parameter] public string Tasks { get; init; } = "A,B";

    [Parameter] public string Fail { get; init; } = "";

    [Parameter] public string Note { get; init; } = "nightly";

    [Parameter] public int Dependents { get; init; }

    [Parameter] public bool Discover { get; init; }

    [Parameter] public bool AwaitExport { get; init; }

    public override IEnumerable<LuigiTask> Roots()
    {
        var steps = Tasks.Split(',').Select(name => new EmailStep { Name = name, Note = Note, Fails = Fail == "*" || Fail.Split(',').Contains(name) });
        if (AwaitExport)
        {
            return [.. steps, new EmailExport { Note = Note }];
        }

        if (Discover)
        {
            return [new EmailDiscoverer { Note = Note, Steps = [.. steps] }];
        }

        return Dependents == 0
            ? steps
            : steps.SelectMany(step => Enumerable.Range(0, Dependents).Select(k => (LuigiTask)new EmailDependent { Of = step.Name, K = k, Step = step }));
    }
}

public sealed class EmailDependent : LuigiTask
{
    [Parameter] public string Of { get; init; } = "";

    [Parameter] public int K { get; init; }

    public required EmailStep Step { get; init; }

    public override IEnumerable<LuigiTask> Requires() => [Step];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class EmailStep : LuigiTask
{
    [Parameter] public string Name { get; init; } = "";

    [Parameter] public string Note { get; init; } = "";

    public bool Fails { get; init; }

    public override RetryPolicy Retry => RetryPolicy.Fixed(1, TimeSpan.Zero);

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        for (var line = 1; line <= 30; line++)
        {
            context.Log($"{Name} step {line} of attempt {context.Attempt}");
        }

        return Fails ? throw new InvalidOperationException($"{Name} could not load the orders (attempt {context.Attempt})") : Task.CompletedTask;
    }
}

/// <summary>Requires its steps at run time, as a task that learns what it needs only when it runs.</summary>
public sealed class EmailDiscoverer : LuigiTask
{
    [Parameter] public string Note { get; init; } = "";

    public required IReadOnlyList<EmailStep> Steps { get; init; }

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken) => await context.RequireAsync(Steps, cancellationToken);
}

/// <summary>Another system's export, which never arrives: waited for with no time to wait, so it fails at its first check.</summary>
public sealed class EmailExport : ExternalTask
{
    [Parameter] public string Note { get; init; } = "";

    public override WaitFor? WaitFor => new(every: TimeSpan.FromMinutes(5), upTo: TimeSpan.Zero);

    public override IEnumerable<Target> Output() => [new LocalFileTarget($"email-tests/{Note}/never-arrives.csv")];
}
