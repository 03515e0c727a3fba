using System.Collections.Concurrent;
using Luigi.Engine;

namespace Luigi.Web.Tests.EndToEnd;

/// <summary>
/// Extract, then Transform, then Load; Extract waits until the test opens the run's gate, so a page can be watching
/// before anything finishes, whatever the machine's speed.
/// </summary>
public sealed class GatedPipeline : Pipeline
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    [Parameter] public string Key { get; init; } = "";

    public static void Open(string key) => Gate(key).TrySetResult();

    internal static TaskCompletionSource Gate(string key) =>
        Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public override IEnumerable<LuigiTask> Roots() => [new GatedStep { Name = "Load", Key = Key }];
}

public sealed class GatedStep : LuigiTask
{
    public required string Name { get; init; }

    public required string Key { get; init; }

    public override string Family => Name;

    public override IEnumerable<LuigiTask> Requires() => Name switch
    {
        "Load" => [new GatedStep { Name = "Transform", Key = Key }],
        "Transform" => [new GatedStep { Name = "Extract", Key = Key }],
        _ => [],
    };

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (Name == "Extract")
        {
            await GatedPipeline.Gate(Key).Task.WaitAsync(cancellationToken);
        }

        context.Log($"{Name} done");
    }
}

/// <summary>
/// Two extracts side by side, then a merge of both: each extract waits until the test opens the run's gate, so a page
/// sees both running at once, whatever the machine's speed, before anything finishes.
/// </summary>
public sealed class GatedFanPipeline : Pipeline
{
    [Parameter] public string Key { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new GatedFanStep { Name = "Merge", Key = Key }];
}

public sealed class GatedFanStep : LuigiTask
{
    public required string Name { get; init; }

    public required string Key { get; init; }

    public override string Family => Name;

    public override IEnumerable<LuigiTask> Requires() =>
        Name == "Merge" ? [new GatedFanStep { Name = "ExtractA", Key = Key }, new GatedFanStep { Name = "ExtractB", Key = Key }] : [];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (Name != "Merge")
        {
            await GatedPipeline.Gate(Key).Task.WaitAsync(cancellationToken);
        }

        context.Log($"{Name} done");
    }
}
