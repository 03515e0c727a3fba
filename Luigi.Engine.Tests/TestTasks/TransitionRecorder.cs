using Luigi.Engine.Events;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// An observer that keeps every transition in the order reported and lets a test wait for a given one
/// (already seen or still to come).
/// </summary>
public sealed class TransitionRecorder : IExecutionObserver
{
    private readonly object _lock = new();
    private readonly List<TaskTransition> _transitions = [];
    private readonly List<(Func<TaskTransition, bool> Match, TaskCompletionSource<TaskTransition> Seen)> _waiters = [];

    public int RunsStarted { get; private set; }

    public int RunsFinished { get; private set; }

    public TaskGraph? StartedGraph { get; private set; }

    public RunResult? FinishedResult { get; private set; }

    public IReadOnlyList<TaskTransition> Transitions
    {
        get
        {
            lock (_lock)
            {
                return _transitions.ToArray();
            }
        }
    }

    /// <summary>The transitions of one task, in order.</summary>
    public IReadOnlyList<TaskTransition> Of(string taskId) => Transitions.Where(t => t.Node.TaskId == taskId).ToArray();

    /// <summary>Index in <see cref="Transitions"/> of the first transition of <paramref name="taskId"/> to <paramref name="to"/>.</summary>
    public int IndexOf(string taskId, TaskState to)
    {
        var all = Transitions;
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Node.TaskId == taskId && all[i].To == to)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"{taskId} never went to {to}.");
    }

    /// <summary>Completes when <paramref name="taskId"/> has gone to <paramref name="to"/> (on <paramref name="attempt"/>, if given).</summary>
    public Task<TaskTransition> WaitForAsync(string taskId, TaskState to, int? attempt = null)
    {
        bool Match(TaskTransition t) => t.Node.TaskId == taskId && t.To == to && (attempt is null || t.Attempt == attempt);
        var seen = new TaskCompletionSource<TaskTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var earlier = _transitions.FirstOrDefault(Match);
            if (earlier is not null)
            {
                seen.TrySetResult(earlier);
            }
            else
            {
                _waiters.Add((Match, seen));
            }
        }

        return seen.Task.WaitAsync(TestTimeouts.Guard);
    }

    public ValueTask OnRunStartedAsync(string runId, TaskGraph graph, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            RunsStarted++;
            StartedGraph = graph;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnTransitionAsync(TaskTransition transition, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _transitions.Add(transition);
            foreach (var waiter in _waiters.Where(w => w.Match(transition)).ToList())
            {
                waiter.Seen.TrySetResult(transition);
                _waiters.Remove(waiter);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnRunFinishedAsync(RunResult result, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            RunsFinished++;
            FinishedResult = result;
        }

        return ValueTask.CompletedTask;
    }
}
