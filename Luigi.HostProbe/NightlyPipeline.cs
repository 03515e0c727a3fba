using Luigi.Engine;

namespace Luigi.HostProbe;

/// <summary>The team's pipeline: one task that writes the night's report.</summary>
public sealed class NightlyPipeline : Pipeline
{
    /// <summary>Names the night; one report per value.</summary>
    [Parameter] public string Night { get; init; } = "2026-12-05";

    public override IEnumerable<LuigiTask> Roots() => [new NightlyReport { Night = Night }];
}

/// <summary>Writes <c>nightly/&lt;night&gt;.txt</c> under the data root.</summary>
public sealed class NightlyReport : LuigiTask
{
    [Parameter] public string Night { get; init; } = "";

    public override IEnumerable<Target> Output() => [new LocalFileTarget($"nightly/{Night}.txt")];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync($"report of {Night}", cancellationToken);
}
