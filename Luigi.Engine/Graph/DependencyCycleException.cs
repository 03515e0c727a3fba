namespace Luigi.Engine.Graph;

/// <summary>
/// The requirements form a cycle, so no order can satisfy them. The message names the cycle in run
/// order, e.g. <c>TaskA -> TaskC -> TaskA</c> (each task requires the one before it).
/// </summary>
public sealed class DependencyCycleException(IReadOnlyList<string> cycle)
    : Exception($"Dependency cycle: {string.Join(" -> ", cycle)} (each task requires the one before it).")
{
    /// <summary>The task ids on the cycle; the first is repeated at the end.</summary>
    public IReadOnlyList<string> Cycle { get; } = cycle;
}
