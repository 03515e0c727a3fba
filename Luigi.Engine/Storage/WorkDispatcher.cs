namespace Luigi.Engine.Storage;

/// <summary>
/// Hands ready tasks to a host's idle workers: one claim for all the workers idle at that moment, not one
/// per worker. It claims as soon as a worker is idle and work may be ready: the last claim filled every
/// idle worker, or work appeared since (<see cref="Pulse"/>: an outcome released dependents, a run was
/// saved, a lease expired). Otherwise it looks again after the poll interval, for work made ready by
/// other hosts. A pulse that arrives while a claim is in flight is kept, so no wake-up is lost.
/// </summary>
internal sealed class WorkDispatcher
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<ClaimedTask?>?[] _waiting;
    private readonly List<int> _idle = [];
    private bool _mayHaveWork = true;
    private bool _stopped;
    private TaskCompletionSource _wake = NewSignal();

    /// <param name="workers">Worker slots are numbered 1 to <paramref name="workers"/>.</param>
    public WorkDispatcher(int workers) => _waiting = new TaskCompletionSource<ClaimedTask?>?[workers + 1];

    /// <summary>Worker <paramref name="worker"/> is idle: completes with its next task, or null once the dispatcher has stopped.</summary>
    public Task<ClaimedTask?> NextAsync(int worker)
    {
        var next = new TaskCompletionSource<ClaimedTask?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_stopped)
            {
                return Task.FromResult<ClaimedTask?>(null);
            }

            _waiting[worker] = next;
            _idle.Add(worker);
            if (_mayHaveWork)
            {
                _wake.TrySetResult();
            }
        }

        return next.Task;
    }

    /// <summary>Work may have become ready.</summary>
    public void Pulse()
    {
        lock (_lock)
        {
            _mayHaveWork = true;
            _wake.TrySetResult();
        }
    }

    /// <summary>
    /// Claims for idle workers until <paramref name="stoppingToken"/> fires; then every idle worker is told
    /// to stop. <paramref name="claim"/> gets the idle worker slots and returns the tasks claimed for them
    /// (each naming its worker), or null when it gave up because the host is stopping.
    /// </summary>
    public async Task RunAsync(
        Func<IReadOnlyList<int>, CancellationToken, Task<List<ClaimedTask>?>> claim, TimeSpan pollInterval, TimeProvider time, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                int[]? idle = null;
                Task wake;
                lock (_lock)
                {
                    if (_idle.Count > 0 && _mayHaveWork)
                    {
                        idle = [.. _idle];
                        _mayHaveWork = false;
                    }
                    else if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }

                    wake = _wake.Task;
                }

                if (idle is null)
                {
                    await WaitAsync(wake, pollInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var claimed = await claim(idle, stoppingToken).ConfigureAwait(false) ?? [];
                lock (_lock)
                {
                    foreach (var task in claimed)
                    {
                        _idle.Remove(task.Worker);
                        var waiter = _waiting[task.Worker];
                        _waiting[task.Worker] = null;
                        waiter?.TrySetResult(task);
                    }

                    if (claimed.Count == idle.Length)
                    {
                        _mayHaveWork = true; // every idle worker got a task: more may be ready
                    }
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _stopped = true;
                foreach (var worker in _idle)
                {
                    _waiting[worker]?.TrySetResult(null);
                    _waiting[worker] = null;
                }

                _idle.Clear();
            }
        }
    }

    private async Task WaitAsync(Task wake, TimeSpan pollInterval, TimeProvider time, CancellationToken stoppingToken)
    {
        try
        {
            await wake.WaitAsync(pollInterval, time, stoppingToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Pulse(); // look again: another host may have made work ready
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
