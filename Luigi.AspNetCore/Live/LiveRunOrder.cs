using Luigi.Engine.Execution;

namespace Luigi.Web.Live;

/// <summary>
/// The order of a run's states in its life: queued, resolving, running, cancelling, then one final state. Run
/// changes are reported by different threads and hosts, so a late report of an earlier state can arrive after a
/// later one; a run's state never goes back within its life (a run handed back to the queue by a dead resolver is
/// not reported as a change), so a consumer keeps the later state.
/// </summary>
public static class LiveRunOrder
{
    /// <summary>The rank of <paramref name="state"/> in a run's life.</summary>
    public static int Rank(RunState state) => state switch
    {
        RunState.Queued => 0,
        RunState.Resolving => 1,
        RunState.Running => 2,
        RunState.Cancelling => 3,
        _ => 4,
    };

    /// <summary>True when a run at <paramref name="current"/> should move to <paramref name="next"/>.</summary>
    public static bool Advances(RunState current, RunState next) => Rank(next) > Rank(current);

    /// <summary><paramref name="changes"/> with each run's changes in the order of its life (stable otherwise).</summary>
    public static List<LiveRunChange> InLifeOrder(List<LiveRunChange> changes) =>
        changes.Count < 2 ? changes : [.. changes.Select((change, i) => (change, i)).OrderBy(c => c.change.RunId).ThenBy(c => Rank(c.change.State)).ThenBy(c => c.i).Select(c => c.change)];
}
