using Luigi.Web.Live;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Live;

/// <summary>A run's changes reported out of order (its Queued after the Resolving of the host that took it) never move it back.</summary>
public sealed class LiveRunOrderTests
{
    private static readonly DateTime At = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void InLifeOrder_PutsEachRunsChangesInTheOrderOfItsLife_AndKeepsOtherRunsApart()
    {
        var (one, two) = (Guid.NewGuid(), Guid.NewGuid());
        List<LiveRunChange> heard =
        [
            new(one, "P", RunState.Resolving, At), new(two, "P", RunState.Running, At), new(one, "P", RunState.Queued, At),
            new(two, "P", RunState.Succeeded, At), new(one, "P", RunState.Running, At),
        ];

        var ordered = LiveRunOrder.InLifeOrder(heard);

        Assert.Equal([RunState.Queued, RunState.Resolving, RunState.Running], ordered.Where(c => c.RunId == one).Select(c => c.State));
        Assert.Equal([RunState.Running, RunState.Succeeded], ordered.Where(c => c.RunId == two).Select(c => c.State));
    }

    [Theory]
    [InlineData(RunState.Resolving, RunState.Queued, false)]
    [InlineData(RunState.Running, RunState.Resolving, false)]
    [InlineData(RunState.Failed, RunState.Running, false)]
    [InlineData(RunState.Queued, RunState.Cancelled, true)]
    [InlineData(RunState.Running, RunState.Cancelling, true)]
    [InlineData(RunState.Cancelling, RunState.Cancelled, true)]
    public void Advances_OnlyForward(RunState current, RunState next, bool expected) =>
        Assert.Equal(expected, LiveRunOrder.Advances(current, next));
}
