namespace Luigi.Web.Bench;

/// <summary>The shapes of synthetic graph the bench can build.</summary>
public enum BenchShape
{
    /// <summary>Task i requires task i-1: no parallelism at all.</summary>
    Chain,

    /// <summary>N-1 independent tasks and one that requires them all.</summary>
    FanIn,

    /// <summary>Layers of equal width; each task requires 3 tasks of the previous layer (fixed seed).</summary>
    Layered,
}

/// <summary>
/// The requirements of a synthetic graph of <see cref="Count"/> tasks, as index lists, and the tasks
/// nothing requires (the roots to request).
/// </summary>
public sealed class BenchGraph
{
    private BenchGraph(int[][] requirements)
    {
        Requirements = requirements;
        var required = new bool[requirements.Length];
        foreach (var list in requirements)
        {
            foreach (var index in list)
            {
                required[index] = true;
            }
        }

        Sinks = Enumerable.Range(0, requirements.Length).Where(i => !required[i]).ToArray();
    }

    public int Count => Requirements.Length;

    public int[][] Requirements { get; }

    public int[] Sinks { get; }

    public int EdgeCount => Requirements.Sum(r => r.Length);

    public static BenchGraph Create(BenchShape shape, int count, int width, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var requirements = new int[count][];
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            requirements[i] = shape switch
            {
                BenchShape.Chain => i == 0 ? [] : [i - 1],
                BenchShape.FanIn => i < count - 1 ? [] : Enumerable.Range(0, count - 1).ToArray(),
                _ => PickFromPreviousLayer(i, width, random),
            };
        }

        return new BenchGraph(requirements);
    }

    private static int[] PickFromPreviousLayer(int index, int width, Random random)
    {
        var layerStart = index / width * width;
        if (layerStart == 0)
        {
            return [];
        }

        var previousStart = layerStart - width;
        var picks = new HashSet<int>();
        while (picks.Count < Math.Min(3, width))
        {
            picks.Add(previousStart + random.Next(width));
        }

        return [.. picks];
    }
}
