using Luigi.Engine.Events;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;

namespace Luigi.Engine.Tests.TestTasks;

/// <summary>A task's change as a test reads it: the state it left (kept by the recorder) and the one it went to.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Node">The task as the recorder last heard of it.</param>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Attempt">The attempt concerned (0 when none, e.g. UpstreamFailed).</param>
/// <param name="At">When, by the host's clock.</param>
/// <param name="Change">What the executor reported.</param>
public sealed record TaskTransition(string RunId, RecordedTask Node, TaskState From, TaskState To, int Attempt, DateTime At, TaskChange Change);

/// <summary>A task of the run, with the last state reported for it.</summary>
public sealed class RecordedTask(string taskId, TaskState state)
{
    public string TaskId => taskId;

    public TaskState State { get; internal set; } = state;
}

/// <summary>
/// An observer (<see cref="IRunObserver"/>) that keeps every change in the order reported, with the state each task left,
/// and lets a test wait for a given one (already seen or still to come).
/// </summary>
public sealed class TransitionRecorder : IRunObserver
{
    private readonly object _lock = new();
    private readonly List<TaskTransition> _transitions = [];
    private readonly Dictionary<(Guid Run, int Task), RecordedTask> _tasks = [];
    private readonly List<(Func<TaskTransition, bool> Match, TaskCompletionSource<TaskTransition> Seen)> _waiters = [];

    public int RunsStarted { get; private set; }

    public int RunsFinished { get; private set; }

    public TaskGraph? StartedGraph { get; private set; }

    /// <summary>The run that finished last and its final state.</summary>
    public (Guid RunId, RunState State)? Finished { get; private set; }

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

    public void OnGraphResolved(Guid runId, TaskGraph graph)
    {
        lock (_lock)
        {
            RunsStarted++;
            StartedGraph = graph;
            for (var i = 0; i < graph.Nodes.Count; i++)
            {
                _tasks[(runId, i)] = new RecordedTask(graph.Nodes[i].TaskId, graph.Nodes[i].State);
            }
        }
    }

    public void OnTaskChanged(TaskChange change)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue((change.RunId, change.TaskIndex), out var task))
            {
                _tasks[(change.RunId, change.TaskIndex)] = task = new RecordedTask(change.TaskId, TaskState.Pending);
            }

            var transition = new TaskTransition(change.RunId.ToString(), task, task.State, change.State, change.Attempt, change.At, change);
            task.State = change.State;
            _transitions.Add(transition);
            foreach (var waiter in _waiters.Where(w => w.Match(transition)).ToList())
            {
                waiter.Seen.TrySetResult(transition);
                _waiters.Remove(waiter);
            }
        }
    }

    public void OnRunFinished(Guid runId, RunState state)
    {
        lock (_lock)
        {
            RunsFinished++;
            Finished = (runId, state);
        }
    }
}
