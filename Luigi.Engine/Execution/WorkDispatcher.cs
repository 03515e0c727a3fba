
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
/// <remarks>
/// While the host's tasks are short (see <see cref="SetAhead"/>), a claim also takes tasks ahead, for a buffer that the
/// next idle workers take from without waiting for a claim: with tasks of a millisecond, the workers otherwise wait for
/// every commit, and each commit carries no more outcomes than there are workers. Tasks left in the buffer while every
/// worker is busy (the tasks stopped being short) are given back after <see cref="HoldLimit"/>, so that another host or
/// worker can run them.
/// </remarks>
internal sealed class WorkDispatcher
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<ClaimedTask?>?[] _waiting;
    private readonly List<int> _idle = [];
    private readonly Queue<(ClaimedTask Task, long BufferedAt)> _buffer = new();
    private readonly int _workers;
    private readonly TimeProvider _time;
    private int _aheadCapacity;
    private int _aheadInFlight;
    private bool _mayHaveWork = true;
    private bool _skippedForWriter;
    private bool _stopped;
    private TaskCompletionSource _wake = NewSignal();

    /// <param name="workers">Worker slots are numbered 1 to <paramref name="workers"/>.</param>
    /// <param name="time">The clock (when a task taken from the buffer starts, how long it waited there).</param>
    public WorkDispatcher(int workers, TimeProvider time)
    {
        _workers = workers;
        _time = time;
        _waiting = new TaskCompletionSource<ClaimedTask?>?[workers + 1];
    }

    /// <summary>How long a task claimed ahead may wait in the buffer while no worker is free before it is given back.</summary>
    public static readonly TimeSpan HoldLimit = TimeSpan.FromMilliseconds(200);

    /// <summary>The tasks claimed ahead that no worker has taken yet (the host holds them: their leases are renewed).</summary>
    public IReadOnlyList<ClaimedTask> Buffered
    {
        get
        {
            lock (_lock)
            {
                return [.. _buffer.Select(b => b.Task)];
            }
        }
    }

    /// <summary>How many tasks claims may take ahead of the idle workers, in all (0: none; the buffer empties as workers take from it).</summary>
    public void SetAhead(int capacity)
    {
        lock (_lock)
        {
            _aheadCapacity = capacity;
        }
    }

    /// <summary>Worker <paramref name="worker"/> is idle: completes with its next task (at once when one waits in the buffer: it is
    /// then the worker's, started now), or null once the dispatcher has stopped.</summary>
    public Task<ClaimedTask?> NextAsync(int worker)
    {
        var next = new TaskCompletionSource<ClaimedTask?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (!_stopped && _buffer.Count > 0)
            {
                return Task.FromResult<ClaimedTask?>(TakeBuffered(worker));
            }

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
    /// Takes the idle workers to claim tasks for, with the room left in the buffer, when work may be ready (or in any case,
    /// when <paramref name="evenWithoutWork"/>: the caller's own transaction may release work); null when there is none
    /// to take. The taken slots must be given back with <see cref="Deliver"/>.
    /// </summary>
    public ClaimSlots? TakeIdle(bool evenWithoutWork = false)
    {
        lock (_lock)
        {
            var room = Math.Max(0, _aheadCapacity - _buffer.Count - _aheadInFlight);
            if ((_idle.Count == 0 && room == 0) || !(_mayHaveWork || evenWithoutWork) || _stopped)
            {
                return null;
            }

            // A claim names a worker for each task: the places ahead are named after the workers in turn (the worker that
            // takes a buffered task is written with its outcome).
            var taken = new ClaimSlots([.. _idle], [.. Enumerable.Range(0, room).Select(i => i % _workers + 1)]);
            _idle.Clear();
            _aheadInFlight += room;
            _mayHaveWork = false;
            return taken;
        }
    }

    /// <summary>Hands the tasks claimed for <paramref name="taken"/> to their workers (the first task naming an idle worker
    /// is its own; the others go to the buffer, and from there to the workers idle now); the workers that got none are idle again.</summary>
    public void Deliver(ClaimSlots taken, IReadOnlyList<ClaimedTask> claimed)
    {
        lock (_lock)
        {
            _aheadInFlight -= taken.Ahead.Length;
            var served = new HashSet<int>();
            var now = _time.GetTimestamp();
            foreach (var task in claimed)
            {
                if (taken.Idle.Contains(task.Worker) && served.Add(task.Worker))
                {
                    var waiter = _waiting[task.Worker];
                    _waiting[task.Worker] = null;
                    waiter?.TrySetResult(task);
                }
                else
                {
                    _buffer.Enqueue((task, now));
                }
            }

            _idle.AddRange(taken.Idle.Where(w => !served.Contains(w)));
            if (claimed.Count == taken.Idle.Length + taken.Ahead.Length)
            {
                _mayHaveWork = true; // every slot got a task: more may be ready
            }

            ServeFromBuffer();
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
    /// or null when it gave up because the host is stopping. <paramref name="giveBack"/> gets the buffered tasks no worker
    /// took in time, and those left when the host stops: they never started.
    /// </summary>
    public async Task RunAsync(
        Func<IReadOnlyList<int>, CancellationToken, Task<List<ClaimedTask>?>> claim, Func<bool> writerBusy, Action<IReadOnlyList<ClaimedTask>> giveBack,
        TimeSpan pollInterval, TimeProvider time, CancellationToken stoppingToken)
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

                if (TakeStale() is { Count: > 0 } stale)
                {
                    giveBack(stale);
                }

                var taken = writerBusy() ? SkipForWriter() : TakeIdle();
                if (taken is null)
                {
                    await WaitAsync(wake, HasBuffered ? HoldLimit : pollInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                List<ClaimedTask>? claimed = null;
                try
                {
                    claimed = await claim(taken.All, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    Deliver(taken, claimed ?? []);
                }
            }
        }
        finally
        {
            List<ClaimedTask> left;
            lock (_lock)
            {
                _stopped = true;
                StopWaiters();
                left = DrainBuffer();
            }

            if (left.Count > 0)
            {
                giveBack(left);
            }
        }
    }

    /// <summary>Idle workers take what waits in the buffer (tasks claimed ahead while they were busy).</summary>
    private void ServeFromBuffer()
    {
        while (_idle.Count > 0 && _buffer.Count > 0 && !_stopped)
        {
            var worker = _idle[0];
            _idle.RemoveAt(0);
            var waiter = _waiting[worker];
            _waiting[worker] = null;
            waiter?.TrySetResult(TakeBuffered(worker));
        }
    }

    /// <summary>The oldest buffered task, now <paramref name="worker"/>'s, started now (under the lock).</summary>
    private ClaimedTask TakeBuffered(int worker) =>
        _buffer.Dequeue().Task with { Worker = worker, StartedAt = _time.GetUtcNow().UtcDateTime, FromBuffer = true };

    /// <summary>Empties the buffer and returns what it held (under the lock).</summary>
    private List<ClaimedTask> DrainBuffer()
    {
        List<ClaimedTask> drained = [.. _buffer.Select(b => b.Task)];
        _buffer.Clear();
        return drained;
    }

    private bool HasBuffered
    {
        get
        {
            lock (_lock)
            {
                return _buffer.Count > 0;
            }
        }
    }

    /// <summary>
    /// Takes the buffered tasks out when the oldest has waited longer than <see cref="HoldLimit"/> with no worker free to take
    /// it (every worker runs a long task): they are to be given back to the queue. Also stops claiming ahead.
    /// </summary>
    public List<ClaimedTask> TakeStale()
    {
        lock (_lock)
        {
            if (_buffer.Count == 0 || _idle.Count > 0 || _time.GetElapsedTime(_buffer.Peek().BufferedAt) < HoldLimit)
            {
                return [];
            }

            _aheadCapacity = 0;
            return DrainBuffer();
        }
    }

    /// <summary>Drops from the buffer the tasks this host lost (their leases were taken over).</summary>
    public void DropBuffered(IReadOnlyList<(Guid RunId, int TaskIndex)> lost)
    {
        lock (_lock)
        {
            var kept = _buffer.Where(b => !lost.Contains((b.Task.RunId, b.Task.TaskIndex))).ToList();
            _buffer.Clear();
            foreach (var entry in kept)
            {
                _buffer.Enqueue(entry);
            }
        }
    }

    private ClaimSlots? SkipForWriter()
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

/// <summary>The slots of one claim: the idle workers, then the places of the buffer it may fill (<see cref="WorkDispatcher"/>).</summary>
internal sealed record ClaimSlots(int[] Idle, int[] Ahead)
{
    /// <summary>The worker named for each task the claim takes, in order.</summary>
    public int[] All { get; } = [.. Idle, .. Ahead];
}
