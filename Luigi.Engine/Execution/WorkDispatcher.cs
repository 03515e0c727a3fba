
namespace Luigi.Engine.Execution;

/// <summary>
/// Hands ready tasks to a host's idle workers: one claim for all the workers idle at that moment, not one
/// per worker. Claims are made in two places: the completion writer claims for the idle workers in the
/// very transaction that commits outcomes (so dependents those outcomes release start without another
/// round trip), and <see cref="RunAsync"/> claims when the writer has nothing to commit and work may be
/// ready: the last claim filled every idle worker, or work appeared since (<see cref="Pulse"/>: a run was
/// saved, a lease expired, ...). Otherwise it looks again after the poll interval, for work made ready by
/// other hosts. A pulse that arrives while a claim is in flight is kept, so no wake-up is lost.
/// </summary>
internal sealed class WorkDispatcher
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<ClaimedTask?>?[] _waiting;
    private readonly List<int> _idle = [];
    private bool _mayHaveWork = true;
    private bool _skippedForWriter;
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
            _wake.TrySetResult();
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
    /// Makes the dispatcher look again, without saying that work is ready, if it skipped a claim while the completion writer
    /// had outcomes to commit (that commit would claim): the writer has just caught up. Otherwise nothing happens, so a
    /// commit costs no extra claim.
    /// </summary>
    public void Wake()
    {
        lock (_lock)
        {
            if (_skippedForWriter)
            {
                _skippedForWriter = false;
                _wake.TrySetResult();
            }
        }
    }

    /// <summary>Work may be ready for the next worker that goes idle; nobody is woken now (no worker is idle).</summary>
    public void MayHaveWork()
    {
        lock (_lock)
        {
            _mayHaveWork = true;
        }
    }

    /// <summary>
    /// Takes the idle workers to claim tasks for, when work may be ready (or in any case, when
    /// <paramref name="evenWithoutWork"/>: the caller's own transaction may release work); null when there
    /// is none to take. The taken workers must be given back with <see cref="Deliver"/>.
    /// </summary>
    public int[]? TakeIdle(bool evenWithoutWork = false)
    {
        lock (_lock)
        {
            if (_idle.Count == 0 || !(_mayHaveWork || evenWithoutWork) || _stopped)
            {
                return null;
            }

            int[] taken = [.. _idle];
            _idle.Clear();
            _mayHaveWork = false;
            return taken;
        }
    }

    /// <summary>Hands the tasks claimed for <paramref name="taken"/> to their workers (each task names its
    /// worker); the workers that got none are idle again.</summary>
    public void Deliver(int[] taken, IReadOnlyList<ClaimedTask> claimed)
    {
        lock (_lock)
        {
            var served = new HashSet<int>();
            foreach (var task in claimed)
            {
                served.Add(task.Worker);
                var waiter = _waiting[task.Worker];
                _waiting[task.Worker] = null;
                waiter?.TrySetResult(task);
            }

            _idle.AddRange(taken.Where(w => !served.Contains(w)));
            if (claimed.Count == taken.Length)
            {
                _mayHaveWork = true; // every idle worker got a task: more may be ready
            }

            _wake.TrySetResult();
            if (_stopped)
            {
                StopWaiters();
            }
        }
    }

    /// <summary>
    /// Claims for idle workers, when <paramref name="writerBusy"/> says the completion writer will not do it
    /// in its next transaction, until <paramref name="stoppingToken"/> fires; then every idle worker is told
    /// to stop. <paramref name="claim"/> gets the idle worker slots and returns the tasks claimed for them,
    /// or null when it gave up because the host is stopping.
    /// </summary>
    public async Task RunAsync(
        Func<IReadOnlyList<int>, CancellationToken, Task<List<ClaimedTask>?>> claim, Func<bool> writerBusy, TimeSpan pollInterval, TimeProvider time,
        CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task wake;
                lock (_lock)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }

                    wake = _wake.Task;
                }

                var taken = writerBusy() ? SkipForWriter() : TakeIdle();
                if (taken is null)
                {
                    await WaitAsync(wake, pollInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                List<ClaimedTask>? claimed = null;
                try
                {
                    claimed = await claim(taken, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    Deliver(taken, claimed ?? []);
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _stopped = true;
                StopWaiters();
            }
        }
    }

    private int[]? SkipForWriter()
    {
        lock (_lock)
        {
            _skippedForWriter = _idle.Count > 0;
        }

        return null;
    }

    private void StopWaiters()
    {
        foreach (var worker in _idle)
        {
            _waiting[worker]?.TrySetResult(null);
            _waiting[worker] = null;
        }

        _idle.Clear();
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
