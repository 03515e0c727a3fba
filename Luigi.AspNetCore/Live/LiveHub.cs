using Luigi.Engine.Execution;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Luigi.Engine.Events;

namespace Luigi.Web.Live;

/// <summary>
/// The SignalR hub of live changes, at <see cref="Path"/>. A client says what it watches; the server pushes
/// (through <see cref="LiveHubBridge"/>, never from here):
/// <list type="bullet">
/// <item><c>"tasks"</c> with <see cref="TaskChange"/>[] of one run, to the watchers of that run;</item>
/// <item><c>"runs"</c> with <see cref="LiveRunChange"/>[], to the watchers of the run list (all runs) and to
/// each run's own watchers (that run's changes only);</item>
/// <item><c>"resync"</c> without arguments, to everyone, when changes may have been missed.</item>
/// </list>
/// JSON, camelCase, enums by name. The protocol and what a client does with it: docs/live.md.
/// </summary>
/// <remarks>
/// Connecting and watching need <see cref="LuigiPolicies.View"/>; <see cref="CancelRun"/> needs
/// <see cref="LuigiPolicies.Operate"/> and is refused to a Viewer with a <see cref="HubException"/>. A connection made with
/// an API token is closed when the token is revoked, and each call checks the token again (<see cref="LiveHubAccess"/>).
/// </remarks>
[Authorize(Policy = LuigiPolicies.View)]
public sealed class LiveHub(RunClient executor, LiveHubAccess access) : Hub<ILiveClient>
{
    /// <summary>Where the hub is mapped.</summary>
    public const string Path = "/hubs/live";

    /// <summary>The group of the watchers of the run list.</summary>
    public const string RunsGroup = "runs";

    /// <summary>The group of the watchers of one run.</summary>
    public static string RunGroup(Guid runId) => $"run:{runId}";

    /// <summary>Starts sending this connection the changes of <paramref name="runId"/> ("tasks" and "runs").</summary>
    public Task WatchRun(Guid runId) => Groups.AddToGroupAsync(Context.ConnectionId, RunGroup(runId), Context.ConnectionAborted);

    /// <summary>Stops sending this connection the changes of <paramref name="runId"/>.</summary>
    public Task UnwatchRun(Guid runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunGroup(runId), Context.ConnectionAborted);

    /// <summary>Starts sending this connection every run's state changes ("runs").</summary>
    public Task WatchRuns() => Groups.AddToGroupAsync(Context.ConnectionId, RunsGroup, Context.ConnectionAborted);

    /// <summary>Stops sending this connection every run's state changes.</summary>
    public Task UnwatchRuns() => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunsGroup, Context.ConnectionAborted);

    /// <summary>
    /// Cancels a queued or running run, as <c>POST /api/runs/{id}/cancel</c> does, for a client that already holds a live
    /// connection (an Operator's). Answers <c>Cancelled</c>, <c>NotFound</c> or <c>AlreadyFinished</c>.
    /// </summary>
    [Authorize(Policy = LuigiPolicies.Operate)]
    public async Task<CancelResult> CancelRun(Guid runId) =>
        await executor.CancelAsync(runId, Context.User?.Identity?.Name, RunTrigger.Api, Context.ConnectionAborted);

    /// <inheritdoc />
    public override Task OnConnectedAsync()
    {
        access.Connected(Context);
        return base.OnConnectedAsync();
    }

    /// <inheritdoc />
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        access.Disconnected(Context);
        return base.OnDisconnectedAsync(exception);
    }
}
