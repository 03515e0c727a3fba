using Luigi.Web.Live;

namespace Luigi.Web.Dashboard;

/// <summary>
/// Keeps a page that shows a query (the overview, the runs list) current: every live batch that concerns it
/// asks for a re-read, and the re-reads are coalesced to at most one per <c>interval</c>. An optional period
/// re-reads even without changes (ages such as heartbeats move on by themselves).
/// </summary>
public sealed class LiveReload : IDisposable
{
    private readonly RenderCoalescer _coalescer;
    private readonly IDisposable _subscription;
    private readonly ITimer? _ticker;

    /// <summary>Subscribes to <paramref name="feed"/>; <paramref name="reload"/> re-reads and renders (on the component's context).</summary>
    public LiveReload(
        ILiveFeed feed, TimeProvider time, Func<Task> reload, TimeSpan interval, Func<LiveBatch, bool>? concerns = null, TimeSpan? period = null)
    {
        _coalescer = new RenderCoalescer(reload, time, interval);
        _subscription = feed.Subscribe(batch => batch.Resync || concerns is null || concerns(batch) ? _coalescer.RequestAsync() : Task.CompletedTask);
        if (period is { } every)
        {
            _ticker = time.CreateTimer(_ => _ = _coalescer.RequestAsync(), null, every, every);
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _ticker?.Dispose();
        _coalescer.Dispose();
    }
}
