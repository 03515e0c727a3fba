using System.ComponentModel;
using Luigi.Engine;

namespace Luigi.Web.Tests.Components;

public enum Mode
{
    Fast,
    Careful,
}

/// <summary>A pipeline with one parameter of each form the trigger form must offer.</summary>
[Description("Every kind of parameter, for the trigger form.")]
public sealed class FormPipeline : Pipeline
{
    [Parameter(Description = "The day to process.")]
    public required DateOnly Day { get; init; }

    [Parameter(Description = "How many items.")]
    public int Count { get; init; } = 3;

    [Parameter]
    public bool Verbose { get; init; }

    [Parameter]
    public Mode Mode { get; init; } = Mode.Careful;

    [Parameter(Description = "Regions, comma-separated.")]
    public List<string> Regions { get; init; } = ["north"];

    public override IEnumerable<LuigiTask> Roots() => [new FormTask { Day = Day, Count = Count }];
}

public sealed class FormTask : LuigiTask
{
    [Parameter]
    public DateOnly Day { get; init; }

    [Parameter]
    public int Count { get; init; }

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A task whose output is a file whose path is a parameter.</summary>
[Description("Writes one file.")]
public sealed class FileOutputPipeline : Pipeline
{
    [Parameter]
    public string Path { get; init; } = "out.txt";

    public override IEnumerable<LuigiTask> Roots() => [new WriteFile { Path = Path }];
}

public sealed class WriteFile : LuigiTask
{
    [Parameter]
    public string Path { get; init; } = "";

    public override IEnumerable<Target> Output() => [new LocalFileTarget(Path)];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => ((LocalFileTarget)Output().Single()).WriteAllTextAsync("x", cancellationToken);
}
