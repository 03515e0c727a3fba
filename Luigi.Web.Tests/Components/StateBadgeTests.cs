using Bunit;
using Luigi.Engine;
using Luigi.Web.Components.Shared;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Components;

public sealed class StateBadgeTests : IAsyncDisposable
{
    private readonly BunitContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Theory]
    [InlineData(TaskState.Done, "Done", "state-done")]
    [InlineData(TaskState.UpstreamFailed, "Upstream failed", "state-upstreamfailed")]
    [InlineData(TaskState.RetryWaiting, "Retry waiting", "state-retrywaiting")]
    public void TaskState_ShowsItsWords_ItsColour_AndItsName(TaskState state, string text, string colour)
    {
        var badge = _context.Render<StateBadge>(p => p.Add(b => b.State, state)).Find(".state-badge");

        Assert.Equal(text, badge.TextContent);
        Assert.Contains(colour, badge.ClassList);
        Assert.Equal(state.ToString(), badge.GetAttribute("data-state"));
    }

    [Theory]
    [InlineData(RunState.Succeeded, "state-done")]
    [InlineData(RunState.Failed, "state-failed")]
    [InlineData(RunState.Queued, "state-pending")]
    [InlineData(RunState.Cancelling, "state-cancelled")]
    public void RunState_UsesTheColourOfTheTaskStateItResembles(RunState state, string colour)
    {
        var badge = _context.Render<StateBadge>(p => p.Add(b => b.Run, state)).Find(".state-badge");

        Assert.Equal(state.ToString(), badge.TextContent);
        Assert.Contains(colour, badge.ClassList);
        Assert.Equal(state.ToString(), badge.GetAttribute("data-state"));
    }
}
