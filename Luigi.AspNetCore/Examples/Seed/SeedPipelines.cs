using System.ComponentModel;

namespace Luigi.Web.Examples.Seed;

[Description("When TaskA finishes, run TaskB (A -> B).")]
public sealed class Sequence : SeedPipeline
{
    protected override IReadOnlyDictionary<string, string[]> Graph { get; } = new Dictionary<string, string[]>
    {
        ["TaskB"] = ["TaskA"],
    };

    protected override IEnumerable<string> RootNames => ["TaskB"];
}

[Description("When both TaskA and TaskB have finished, run TaskC (A -> C, B -> C).")]
public sealed class ParallelJoin : SeedPipeline
{
    protected override IReadOnlyDictionary<string, string[]> Graph { get; } = new Dictionary<string, string[]>
    {
        ["TaskC"] = ["TaskA", "TaskB"],
    };

    protected override IEnumerable<string> RootNames => ["TaskC"];
}

[Description("The complex example: A -> C, B -> C, D -> E, and C, E, F -> G.")]
public sealed class ComplexExample : SeedPipeline
{
    protected override IReadOnlyDictionary<string, string[]> Graph { get; } = new Dictionary<string, string[]>
    {
        ["TaskC"] = ["TaskA", "TaskB"],
        ["TaskE"] = ["TaskD"],
        ["TaskG"] = ["TaskC", "TaskE", "TaskF"],
    };

    protected override IEnumerable<string> RootNames => ["TaskG"];
}
