namespace Luigi.Engine.Tests.TestTasks;

public enum Region
{
    Eu,
    Us,
    Apac,
}

/// <summary>A task with one parameter of each kind a pipeline author uses.</summary>
public sealed class ExportReport : LuigiTask
{
    [Parameter(Required = true, Description = "The day to export.")]
    public DateOnly Date { get; init; }

    [Parameter]
    public Region Region { get; init; } = Region.Eu;

    [Parameter]
    public int Limit { get; init; } = 100;

    [Parameter]
    public IReadOnlyList<string> Columns { get; init; } = ["id", "total"];

    [Parameter]
    public int[] Shards { get; init; } = [];

    [Parameter(Significant = false)]
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(90);

    [Parameter(Significant = false)]
    public bool DryRun { get; init; }

    [Parameter(Name = "since")]
    public DateTime? ChangedSince { get; init; }

    [Parameter]
    public int? MaxRows { get; init; }

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
