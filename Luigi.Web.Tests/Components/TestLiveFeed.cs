using Luigi.Web.Live;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// An in-memory live feed the test publishes to. The real feed (fed by the store's observers and the other
/// hosts) is built separately; the components only need something that delivers batches to their handlers.
/// </summary>
public sealed class TestLiveFeed : ILiveFeed
{
    private readonly List<Func<LiveBatch, Task>> _handlers = [];

    public int Subscribers
    {
        get
        {
            lock (_handlers)
            {
                return _handlers.Count;
            }
        }
    }

    public IDisposable Subscribe(Func<LiveBatch, Task> handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }

        return new Subscription(() =>
        {
            lock (_handlers)
            {
                _handlers.Remove(handler);
            }
        });
    }

    /// <summary>Delivers <paramref name="batch"/> to every subscriber, one after the other.</summary>
    public async Task PublishAsync(LiveBatch batch)
    {
        Func<LiveBatch, Task>[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }

        foreach (var handler in handlers)
        {
            await handler(batch);
        }
    }

    public Task PublishAsync(params TaskChange[] changes) => PublishAsync(new LiveBatch(changes, [], false));

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
