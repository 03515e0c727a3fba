using Microsoft.JSInterop;

namespace Luigi.Web.Dashboard;

/// <summary>
/// The time zone of the browser of this circuit (<c>Intl.DateTimeFormat().resolvedOptions().timeZone</c>), asked once
/// through <c>/js/dashboard.js</c>, so fire times can be shown in the viewer's zone beside UTC. Null until the page is
/// interactive, or when the browser names a zone this host does not know.
/// </summary>
public sealed class ViewerTimeZone(IJSRuntime js)
{
    private Task<TimeZoneInfo?>? _zone;

    /// <summary>The viewer's zone, or null.</summary>
    public Task<TimeZoneInfo?> GetAsync() => _zone ??= AskAsync();

    private async Task<TimeZoneInfo?> AskAsync()
    {
        try
        {
            await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/dashboard.js");
            var id = await module.InvokeAsync<string?>("viewerTimeZone");
            return id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
        }
        catch (Exception exception) when (exception is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            _zone = null; // ask again on the next render
            return null;
        }
    }
}
