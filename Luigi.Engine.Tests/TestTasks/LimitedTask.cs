using System.ComponentModel.DataAnnotations;

namespace Luigi.Engine.Tests.TestTasks;

/// <summary>A task whose parameters declare every kind of limit.</summary>
public sealed class LimitedTask : LuigiTask
{
    [Parameter, Range(0, 60_000)]
    public int DelayMs { get; init; } = 500;

    [Parameter, Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    [Parameter, Range(typeof(DateOnly), "2000-01-01", "2099-12-31")]
    public DateOnly? End { get; init; }

    [Parameter, Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double Ratio { get; init; }

    [Parameter, StringLength(8, MinimumLength = 2), RegularExpression("[a-z]+")]
    public string Code { get; init; } = "ab";

    [Parameter, AllowedValues("eu", "us")]
    public string Region { get; init; } = "eu";

    [Parameter, MaxLength(3), Range(1, 9)]
    public IReadOnlyList<int> Shards { get; init; } = [1];

    [Parameter]
    public string Note { get; init; } = "";

    [Parameter]
    public DataPath Folder { get; init; } = DataPath.Parse("out");

    public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
