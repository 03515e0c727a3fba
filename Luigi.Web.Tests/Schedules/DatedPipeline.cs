using System.ComponentModel.DataAnnotations;
using Luigi.Engine;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Tests.Schedules;

/// <summary>One task per date, complete when its in-memory output exists: what schedules and backfills are tested on.</summary>
public sealed class DatedPipeline : Pipeline
{
    public static InMemoryTargetStore Outputs { get; } = new();

    public static PipelineRegistry Registry { get; } = new PipelineRegistry().Add(typeof(DatedPipeline)).Add(typeof(UndatedPipeline));

    [Parameter] public string Key { get; init; } = "";

    [Parameter] public DateOnly Date { get; init; } = new(2026, 11, 1);

    [Parameter]
    [AllowedValues("eu", "us")]
    public string Region { get; init; } = "eu";

    public override IEnumerable<LuigiTask> Roots() => [new DatedTask { Key = Key, Date = Date }];

    /// <summary>Makes the work of <paramref name="date"/> complete, as if it had run.</summary>
    public static void Complete(string key, DateOnly date) => Outputs.Target(DatedTask.OutputKey(key, date)).Write("done");

    public static bool IsComplete(string key, DateOnly date) => Outputs.Contains(DatedTask.OutputKey(key, date));
}

public sealed class DatedTask : LuigiTask
{
    [Parameter] public string Key { get; init; } = "";

    [Parameter] public DateOnly Date { get; init; }

    public static string OutputKey(string key, DateOnly date) => $"{key}/{date:yyyy-MM-dd}";

    public override IEnumerable<Target> Output() => [DatedPipeline.Outputs.Target(OutputKey(Key, Date))];

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        DatedPipeline.Outputs.Target(OutputKey(Key, Date)).Write("ran");
        return Task.CompletedTask;
    }
}

/// <summary>A pipeline without a date parameter: nothing to bind a fire time or a backfill to.</summary>
public sealed class UndatedPipeline : Pipeline
{
    [Parameter] public int Count { get; init; } = 1;

    public override IEnumerable<LuigiTask> Roots() => [];
}
