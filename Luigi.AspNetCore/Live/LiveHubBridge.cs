using Microsoft.AspNetCore.SignalR;

namespace Luigi.Web.Live;

/// <summary>
/// Hands each batch of the <see cref="ILiveFeed"/> to the <see cref="LiveHub"/>'s clients (<see cref="ILiveClient"/>): "resync" to
/// everyone first when the batch says so, then each run's task changes to that run's group, then the run
/// changes to the run list's group and to each run's group. A batch's messages are handed to SignalR in
/// that order and batches in the order they were made; the bridge waits for a batch to be written to every
/// client before the next, but no longer than <see cref="SlowClientWait"/>: a client that does not read
/// (until SignalR drops it) must not hold up the others, and what it then gets out of order it sorts out
/// by the ordering rule (docs/live.md).
/// </summary>
internal sealed class LiveHubBridge(ILiveFeed feed, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveHubBridge> logger) : IHostedService
{
    /// <summary>How long a batch may take to be written to every client before the bridge goes on with the next.</summary>
    public static readonly TimeSpan SlowClientWait = TimeSpan.FromSeconds(2);

    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(SendAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task SendAsync(LiveBatch batch)
    {
        var sends = new List<Task>();
        if (batch.Resync)
        {
            sends.Add(hub.Clients.All.Resync());
        }

        foreach (var run in batch.Tasks.GroupBy(t => t.RunId))
        {
            sends.Add(hub.Clients.Group(LiveHub.RunGroup(run.Key)).Tasks(run.ToArray()));
        }

        if (batch.Runs.Count > 0)
        {
            sends.Add(hub.Clients.Group(LiveHub.RunsGroup).Runs(batch.Runs));
            foreach (var run in batch.Runs.GroupBy(r => r.RunId))
            {
                sends.Add(hub.Clients.Group(LiveHub.RunGroup(run.Key)).Runs(run.ToArray()));
            }
        }

        try
        {
            await Task.WhenAll(sends).WaitAsync(SlowClientWait);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("A live client took more than {Wait} to take a batch; going on without waiting for it", SlowClientWait);
        }
    }
}
