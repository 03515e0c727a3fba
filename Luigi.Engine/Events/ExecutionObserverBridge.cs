using Luigi.Engine.Graph;
using Luigi.Engine.Storage;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Events;

/// <summary>
/// Tells <see cref="IExecutionObserver"/>s what the executor reports of one run of <see cref="LuigiEngine"/>: each
/// <see cref="TaskChange"/> becomes a <see cref="TaskTransition"/> of the run's graph, with the state the task left.
/// Transitions reach the observers one at a time, in the order the changes were reported (a requirement's end
/// before its dependent's start): at once while every observer answers synchronously, and behind the one still
/// working when an observer awaits something.
/// </summary>
/// <param name="runId">The run, as the observers know it.</param>
/// <param name="graph">The run's graph, resolved in this process.</param>
/// <param name="observers">Who hears the transitions.</param>
/// <param name="logger">Where an observer's failure is logged.</param>
/// <param name="applyStates">Whether the bridge keeps the nodes' states up to date itself (a queue that keeps its states
/// elsewhere than in the nodes: a store).</param>
internal sealed class ExecutionObserverBridge(
    string runId, TaskGraph graph, IReadOnlyList<IExecutionObserver> observers, ILogger logger, bool applyStates) : IStoreObserver
{
    private readonly Lock _lock = new();
    private readonly List<TaskState> _last = [.. graph.Nodes.Select(n => n.State)];
    private Task _tail = Task.CompletedTask;

    public void OnTaskChanged(TaskChange change)
    {
        var node = graph.Nodes[change.TaskIndex];
        lock (_lock)
        {
            while (_last.Count <= change.TaskIndex)
            {
                _last.Add(TaskState.Pending); // a task found at run time joined the graph: it starts out pending
            }

            var from = _last[change.TaskIndex];
            _last[change.TaskIndex] = change.State;
            if (applyStates)
            {
                node.State = change.State;
            }

            var transition = new TaskTransition(runId, node, from, change.State, change.Attempt, new DateTimeOffset(change.At, TimeSpan.Zero));
            _tail = _tail.IsCompletedSuccessfully ? TellAsync(transition) : TellAfterAsync(_tail, transition);
        }
    }

    public void OnRunFinished(Guid runId, RunState state)
    {
    }

    /// <summary>Completes once every change reported so far has been told to the observers.</summary>
    public Task CompleteAsync()
    {
        lock (_lock)
        {
            return _tail;
        }
    }

    private async Task TellAfterAsync(Task before, TaskTransition transition)
    {
        await before.ConfigureAwait(false);
        await TellAsync(transition).ConfigureAwait(false);
    }

    private async Task TellAsync(TaskTransition transition)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnTransitionAsync(transition, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Observer {Observer} failed on {TaskId} {From} -> {To}",
                    observer.GetType().Name, transition.Node.TaskId, transition.From, transition.To);
            }
        }
    }
}
