using System.Threading.Channels;
using Luigi.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Live;

/// <summary>
/// This host's live feed: it hears the committed changes of the local executor (as one of its
/// <see cref="IRunObserver"/>s) and those relayed from other hosts, and hands them out in batches, at
/// most one per <see cref="LiveOptions.BatchInterval"/>.
/// </summary>
/// <remarks>
/// The executor's calls only write to an unbounded channel (no lock, no allocation beyond the change), so
/// the hot path never waits. One pump drains the channel, builds a batch and posts it to each subscriber's
/// own queue; each queue is drained by its own task, one handler call at a time. A subscriber whose queue
/// holds <see cref="LiveOptions.SubscriberBacklog"/> batches is too far behind: its backlog is dropped and
/// it gets one empty batch with <see cref="LiveBatch.Resync"/> instead, so a slow subscriber never holds up
/// another one, the pump or the executor, and memory stays bounded.
/// Local changes are also posted, alone, to the local subscribers (the relay that publishes them to other hosts).
/// </remarks>
public sealed class LiveFeed : ILiveFeed, IRunObserver, IAsyncDisposable
{
    private static readonly LiveBatch ResyncBatch = new([], [], true);

    private readonly LiveOptions _options;
    private readonly string _hostId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Item> _changes = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private Subscription[] _subscribers = [];
    private Subscription[] _localSubscribers = [];
    private int _disposed;

    /// <param name="options">Batch interval and backlog (validated here).</param>
    /// <param name="hostId">This host's id (its <see cref="Luigi.Engine.Execution.HostIdentity"/>).</param>
    /// <param name="time">The clock of run changes' <see cref="LiveRunChange.At"/> (the batch interval is always real time).</param>
    /// <param name="logger">Where handler failures go.</param>
    public LiveFeed(LiveOptions options, string hostId, TimeProvider? time = null, ILogger<LiveFeed>? logger = null)
    {
        options.Validate();
        _options = options;
        _hostId = hostId;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>This host's id, as its changes carry it.</summary>
    public string HostId => _hostId;

    /// <inheritdoc />
    public IDisposable Subscribe(Func<LiveBatch, Task> handler) => Add(handler, local: false);

    /// <summary>Delivers this host's own changes only (none relayed from other hosts), in batches, to <paramref name="handler"/>.</summary>
    internal IDisposable SubscribeLocal(Func<LiveBatch, Task> handler) => Add(handler, local: true);

    /// <summary>Changes made by other hosts (or, with <see cref="LiveBatch.Resync"/>, word that some may have been missed), to go out with the next batch.</summary>
    internal void AddRemote(LiveBatch batch) => _changes.Writer.TryWrite(new Item(null, null, batch));

    void IRunObserver.OnTaskChanged(TaskChange change) => _changes.Writer.TryWrite(new Item(change, null, null));

    void IRunObserver.OnRunFinished(Guid runId, RunState state)
    {
        // Told through OnRunChanged, with the pipeline.
    }

    void IRunObserver.OnRunChanged(Guid runId, string pipeline, RunState state) =>
        _changes.Writer.TryWrite(new Item(null, new LiveRunChange(runId, pipeline, state, _time.GetUtcNow().UtcDateTime), null));

    /// <summary>Stops the pump; batches not yet out are dropped. Idempotent (the container disposes it once per service type it is registered as).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _changes.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        _stop.Dispose();
    }

    private IDisposable Add(Func<LiveBatch, Task> handler, bool local)
    {
        var subscription = new Subscription(this, handler, local);
        lock (_lock)
        {
            if (local)
            {
                _localSubscribers = [.. _localSubscribers, subscription];
            }
            else
            {
                _subscribers = [.. _subscribers, subscription];
            }
        }

        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            if (subscription.Local)
            {
                _localSubscribers = [.. _localSubscribers.Where(s => s != subscription)];
            }
            else
            {
                _subscribers = [.. _subscribers.Where(s => s != subscription)];
            }
        }
    }

    private async Task PumpAsync()
    {
        var reader = _changes.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                var tasks = new List<TaskChange>();
                var runs = new List<LiveRunChange>();
                List<TaskChange>? localTasks = null;
                List<LiveRunChange>? localRuns = null;
                var resync = false;
                while (reader.TryRead(out var item))
                {
                    if (item.Task is { } change)
                    {
                        var live = change.HostId is null ? change with { HostId = _hostId } : change;
                        tasks.Add(live);
                        (localTasks ??= []).Add(live);
                    }
                    else if (item.Run is { } run)
                    {
                        runs.Add(run);
                        (localRuns ??= []).Add(run);
                    }
                    else if (item.Remote is { } remote)
                    {
                        tasks.AddRange(remote.Tasks);
                        runs.AddRange(remote.Runs);
                        resync |= remote.Resync;
                    }
                }

                // A run's Queued is reported by the thread that queued it, after its commit, and may come after the Resolving
                // of the host that took it at once: within a batch, a run's changes go in the order of its life.
                runs = LiveRunOrder.InLifeOrder(runs);
                localRuns = localRuns is null ? null : LiveRunOrder.InLifeOrder(localRuns);
                var batch = new LiveBatch(tasks, runs, resync);
                foreach (var subscriber in Volatile.Read(ref _subscribers))
                {
                    subscriber.Post(batch);
                }

                if (localTasks is not null || localRuns is not null)
                {
                    var local = new LiveBatch(localTasks ?? [], localRuns ?? [], false);
                    foreach (var subscriber in Volatile.Read(ref _localSubscribers))
                    {
                        subscriber.Post(local);
                    }
                }

                await Task.Delay(_options.BatchInterval, _stop.Token).ConfigureAwait(false); // real time, even under a test clock
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "The live feed stopped; dashboards will not hear of changes until the host restarts");
        }
    }

    /// <summary>A change from the executor (a task's or a run's) or a batch from the relay.</summary>
    private readonly record struct Item(TaskChange? Task, LiveRunChange? Run, LiveBatch? Remote);

    /// <summary>One subscriber's queue and the task that drains it (started when there is something to deliver).</summary>
    private sealed class Subscription(LiveFeed feed, Func<LiveBatch, Task> handler, bool local) : IDisposable
    {
        private readonly Queue<LiveBatch> _queue = new();
        private bool _draining;
        private bool _disposed;

        public bool Local => local;

        public void Post(LiveBatch batch)
        {
            lock (_queue)
            {
                if (_disposed)
                {
                    return;
                }

                if (_queue.Count >= feed._options.SubscriberBacklog)
                {
                    _queue.Clear();
                    _queue.Enqueue(ResyncBatch); // what was dropped, and this batch, are in the store: re-reading it covers them
                    feed._logger.LogWarning("A live subscriber fell {Count} batches behind; its backlog was replaced by a resync", feed._options.SubscriberBacklog);
                }
                else
                {
                    _queue.Enqueue(batch);
                }

                if (!_draining)
                {
                    _draining = true;
                    _ = Task.Run(DrainAsync);
                }
            }
        }

        public void Dispose()
        {
            lock (_queue)
            {
                _disposed = true;
                _queue.Clear();
            }

            feed.Remove(this);
        }

        private async Task DrainAsync()
        {
            while (true)
            {
                LiveBatch? batch;
                lock (_queue)
                {
                    if (_disposed || !_queue.TryDequeue(out batch))
                    {
                        _draining = false;
                        return;
                    }
                }

                try
                {
                    await handler(batch).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    feed._logger.LogError(exception, "A live subscriber failed on a batch of {Tasks} task and {Runs} run changes", batch.Tasks.Count,
                        batch.Runs.Count);
                }
            }
        }
    }
}
