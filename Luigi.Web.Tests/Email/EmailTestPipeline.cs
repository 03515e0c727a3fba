using Luigi.Engine;

namespace Luigi.Web.Tests.Email;

/// <summary>
/// Independent tasks, some of which fail every attempt: <see cref="Fail"/> names them (comma-separated, or
/// <c>*</c> for all). Every task carries <see cref="Note"/> as a significant parameter, so it shows in ids and e-mail.
/// With <see cref="Dependents"/> above 0, each task has that many dependents (<see cref="EmailDependent"/>), which
/// a failure blocks.
/// </summary>
public sealed class EmailTestPipeline : Pipeline
{
    [Parameter] public string Tasks { get; init; } = "A,B";

    [Parameter] public string Fail { get; init; } = "";

    [Parameter] public string Note { get; init; } = "nightly";

    [Parameter] public int Dependents { get; init; }

    public override IEnumerable<LuigiTask> Roots()
    {
        var steps = Tasks.Split(',').Select(name => new EmailStep { Name = name, Note = Note, Fails = Fail == "*" || Fail.Split(',').Contains(name) });
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
