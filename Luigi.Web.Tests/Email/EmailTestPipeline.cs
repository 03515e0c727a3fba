using Luigi.Engine;

namespace Luigi.Web.Tests.Email;

/// <summary>
/// Independent tasks, some of which fail every attempt: <see cref="Fail"/> names them (comma-separated, or
/// <c>*</c> for all). Every task carries <see cref="Note"/> as a significant parameter, so it shows in ids and e-mail.
/// </summary>
public sealed class EmailTestPipeline : Pipeline
{
    [Parameter] public string Tasks { get; init; } = "A,B";

    [Parameter] public string Fail { get; init; } = "";

    [Parameter] public string Note { get; init; } = "nightly";

    public override IEnumerable<LuigiTask> Roots() =>
        Tasks.Split(',').Select(name => new EmailStep { Name = name, Note = Note, Fails = Fail == "*" || Fail.Split(',').Contains(name) });
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
