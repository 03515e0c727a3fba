using Luigi.Engine;

namespace Luigi.Web.Tests.Security;

/// <summary>
/// One task that carries <see cref="Text"/> everywhere a user's text can reach the dashboard and the failure e-mail:
/// in its id (a significant parameter), in its log lines and in its error message. It fails on its only attempt.
/// </summary>
public sealed class HostileTextPipeline : Pipeline
{
    /// <summary>Markup that must stay inert wherever it is shown.</summary>
    public const string Payload = "<script>window.__pwned=1</script> \"><img src=x onerror=\"window.__pwned=2\">";

    [Parameter] public string Text { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new HostileTextTask { Text = Text }];
}

public sealed class HostileTextTask : LuigiTask
{
    [Parameter] public string Text { get; init; } = "";

    public override RetryPolicy Retry => RetryPolicy.None;

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.Log($"read {Text}");
        context.Log(Text);
        throw new InvalidOperationException($"could not parse {Text}");
    }
}
