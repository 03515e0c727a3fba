using Luigi.Engine.Events;
using Luigi.Engine.Graph;
using Luigi.Engine.Scheduling;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Execution;

/// <summary>
/// Runs one resolved graph on a pool of workers. Each task keeps a count of unsatisfied requirements;
/// when it reaches zero the task enters the <see cref="ReadyQueue"/>, and a free worker takes the best
/// ready task. A failed attempt with retries left waits on a timer, holding no worker. All scheduling
/// state is guarded by one lock held only for O(log n) queue operations; tasks run outside it.
/// </summary>
internal sealed class RunExecution : IDisposable
{
    private readonly object _gate = new();
    private readonly ReadyQueue _ready = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Dictionary<TaskNode, ITimer> _retryTimers = [];
    private readonly string _runId;
    private readonly TaskGraph _graph;
    private readonly LuigiEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly AttemptRunner _attempts;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IExecutionObserver> _observers;
    private readonly CancellationTokenSource _cancel;
    private int _unfinished;
    private bool _finished;
    private bool _cancelRequested;
    private Task? _cancelling;

    public RunExecution(
        string runId,
        TaskGraph graph,
        LuigiEngineOptions options,
        TimeProvider time,
        ILoggerFactory loggers,
        IReadOnlyList<IExecutionObserver> observers,
        CancellationToken cancellationToken)
    {
        _runId = runId;
        _graph = graph;
        _options = options;
        _time = time;
        _attempts = new AttemptRunner(time, loggers, options);
        _logger = loggers.CreateLogger("Luigi.Engine");
        _observers = observers;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public async Task RunAsync()
    {
        var nodes = _graph.Nodes;
        var failedAtStart = new List<TaskNode>();
        foreach (var node in nodes)
        {
            if (!node.State.IsTerminal())
            {
                _unfinished++;
            }
            else if (node.State == TaskState.Failed)
            {
                failedAtStart.Add(node);
            }

            var remaining = 0;
            foreach (var requirement in node.Requirements)
            {
                if (!nodes[requirement].State.IsSatisfied())
                {
                    remaining++;
                }
            }

            node.RemainingRequirements = remaining;
        }

        foreach (var failed in failedAtStart)
        {
            await BlockDependentsAsync(failed).ConfigureAwait(false);
        }

        var readyCount = 0;
        lock (_gate)
        {
            foreach (var node in nodes)
            {
                if (node.State == TaskState.Pending && node.RemainingRequirements == 0)
                {
                    _ready.Push(node, node.Priority);
                    readyCount++;
                }
            }

            if (_unfinished == 0)
            {
                return;
            }
        }

        _signal.Release(readyCount);
        using var registration = _cancel.Token.Register(CancelPending);

        var workers = new Task[_options.Workers];
        for (var w = 0; w < workers.Length; w++)
        {
            var worker = w + 1;
            workers[w] = Task.Run(() => WorkerLoopAsync(worker));
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        Task? cancelling;
        lock (_gate)
        {
            cancelling = _cancelling;
        }

        if (cancelling is not null)
        {
            await cancelling.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _cancel.Dispose();
        _signal.Dispose();
    }

    private async Task WorkerLoopAsync(int worker)
    {
        while (true)
        {
            await _signal.WaitAsync().ConfigureAwait(false);
            TaskNode? node;
            TaskState from;
            AttemptRecord attempt;
            lock (_gate)
            {
                if (_finished)
                {
                    return;
                }

                // The token reads as cancelled before its callbacks run; an attempt's own linked token may be
                // notified (and its worker come back here) before CancelPending has emptied the queue.
                if (_cancel.IsCancellationRequested || !_ready.TryPop(out node))
                {
                    continue;
                }

                from = node.State;
                node.State = TaskState.Running;
                attempt = new AttemptRecord(node.Attempts.Count + 1, worker, _time.GetUtcNow());
                node.AddAttempt(attempt);
            }

            await PublishAsync(node, from, TaskState.Running, attempt.Number).ConfigureAwait(false);
            await ExecuteAsync(node, attempt).ConfigureAwait(false);
        }
    }

    private async Task ExecuteAsync(TaskNode node, AttemptRecord attempt)
    {
        var result = await _attempts.RunAsync(node.Task, node.TaskId, _runId, attempt, node.Timeout, node.RetryPolicy ?? _options.DefaultRetry, _cancel.Token)
            .ConfigureAwait(false);
        var outcome = result.State;
        var error = result.Error;

        lock (_gate)
        {
            attempt.FinishedAt = result.FinishedAt;
            attempt.Outcome = outcome == TaskState.RetryWaiting ? TaskState.Failed : outcome;
            attempt.Error = error?.ToString();
            node.State = outcome;
            if (outcome == TaskState.Failed)
            {
                node.Error = error!.ToString();
            }
        }

        await PublishAsync(node, TaskState.Running, outcome, attempt.Number).ConfigureAwait(false);
        switch (outcome)
        {
            case TaskState.Done:
                ReleaseDependents(node);
                MarkTerminal();
                break;
            case TaskState.RetryWaiting:
                ScheduleRetry(node, result.RetryAt!.Value - _time.GetUtcNow());
                break;
            case TaskState.Failed:
                await BlockDependentsAsync(node).ConfigureAwait(false);
                MarkTerminal();
                break;
            default:
                MarkTerminal();
                break;
        }
    }

    private void ReleaseDependents(TaskNode node)
    {
        var released = 0;
        lock (_gate)
        {
            foreach (var index in node.Dependents)
            {
                var dependent = _graph.Nodes[index];
                if (--dependent.RemainingRequirements == 0 && dependent.State == TaskState.Pending)
                {
                    _ready.Push(dependent, dependent.Priority);
                    released++;
                }
            }
        }

        if (released > 0)
        {
            _signal.Release(released);
        }
    }

    private void ScheduleRetry(TaskNode node, TimeSpan delay)
    {
        lock (_gate)
        {
            if (node.State != TaskState.RetryWaiting)
            {
                return; // cancelled in the meantime
            }

            if (delay > TimeSpan.Zero)
            {
                _retryTimers[node] = _time.CreateTimer(_ => Requeue(node), null, delay, System.Threading.Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Requeue(node);
    }

    private void Requeue(TaskNode node)
    {
        lock (_gate)
        {
            if (_retryTimers.Remove(node, out var timer))
            {
                timer.Dispose();
            }

            if (node.State != TaskState.RetryWaiting || _cancel.IsCancellationRequested)
            {
                return;
            }

            _ready.Push(node, node.Priority);
        }

        _signal.Release();
    }

    private async Task BlockDependentsAsync(TaskNode failed)
    {
        var blocked = new List<TaskNode>();
        lock (_gate)
        {
            var stack = new Stack<TaskNode>();
            stack.Push(failed);
            while (stack.TryPop(out var current))
            {
                foreach (var index in current.Dependents)
                {
                    var dependent = _graph.Nodes[index];
                    if (dependent.State == TaskState.Pending)
                    {
                        dependent.State = TaskState.UpstreamFailed;
                        dependent.BlockedBy = failed.TaskId;
                        blocked.Add(dependent);
                        stack.Push(dependent);
                    }
                }
            }
        }

        foreach (var node in blocked)
        {
            await PublishAsync(node, TaskState.Pending, TaskState.UpstreamFailed, 0).ConfigureAwait(false);
            MarkTerminal();
        }
    }

    /// <summary>
    /// Runs synchronously when the run's token fires, so that no worker can take another task after it:
    /// the ready queue is emptied and every waiting task marked cancelled under the lock at once. Only the
    /// reporting of those transitions is left to a background task.
    /// </summary>
    private void CancelPending()
    {
        var cancelled = new List<(TaskNode Node, TaskState From)>();
        lock (_gate)
        {
            if (_cancelRequested)
            {
                return;
            }

            _cancelRequested = true;
            _ready.Drain();
            foreach (var timer in _retryTimers.Values)
            {
                timer.Dispose();
            }

            _retryTimers.Clear();
            foreach (var node in _graph.Nodes)
            {
                if (node.State is TaskState.Pending or TaskState.RetryWaiting)
                {
                    cancelled.Add((node, node.State));
                    node.State = TaskState.Cancelled;
                }
            }

            _cancelling = Task.Run(() => ReportCancelledAsync(cancelled));
        }
    }

    private async Task ReportCancelledAsync(List<(TaskNode Node, TaskState From)> cancelled)
    {
        foreach (var (node, from) in cancelled)
        {
            await PublishAsync(node, from, TaskState.Cancelled, 0).ConfigureAwait(false);
            MarkTerminal();
        }
    }

    private void MarkTerminal()
    {
        lock (_gate)
        {
            if (--_unfinished > 0)
            {
                return;
            }

            _finished = true;
        }

        _signal.Release(_options.Workers);
    }

    private async ValueTask PublishAsync(TaskNode node, TaskState from, TaskState to, int attempt)
    {
        if (_observers.Count == 0)
        {
            return;
        }

        var transition = new TaskTransition(_runId, node, from, to, attempt, _time.GetUtcNow());
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnTransitionAsync(transition, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Observer {Observer} failed on {TaskId} {From} -> {To}", observer.GetType().Name, node.TaskId, from, to);
            }
        }
    }
}
