namespace Luigi.Engine.Graph;

/// <summary>
/// How the tasks a running task requires at run time (<see cref="TaskContext.RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/>)
/// join its run's graph, worked out the same way for every run queue: the requested tasks were resolved on their own
/// (<see cref="GraphBuilder"/>: completeness checked, requirements expanded, complete ones pruned); here they are merged
/// with the run by task id. A task the run has already is reused (and not expanded again); the others are added with the
/// next indices, with their edges, their states after resolution (a task failed at resolution blocks what requires it) and
/// their counts of unsatisfied requirements. The requester gets an edge from each requested task and waits for those not
/// satisfied; when one of them has failed already, the requester is blocked by it. A requested task that is the requester,
/// or downstream of it, would close a cycle: nothing is merged and the requester fails with <see cref="CycleError"/>.
/// </summary>
internal sealed class GraphExtension
{
    private GraphExtension()
    {
    }

    /// <summary>Why the request was refused (a cycle), or null.</summary>
    public string? CycleError { get; private init; }

    /// <summary>The tasks new to the run, with their indices in the run, in an order where requirements come first.</summary>
    public List<AddedTask> Added { get; } = [];

    /// <summary>New edges (requirement, dependent), in run indices: among new tasks, from new tasks to tasks of the run, and to the requester.</summary>
    public List<(int Requirement, int Dependent)> Edges { get; } = [];

    /// <summary>How many requested tasks the requester still waits for.</summary>
    public int RequesterRemaining { get; private set; }

    /// <summary>The failed task that blocks the requester (a requested task failed, or was blocked by it), or null.</summary>
    public string? RequesterBlockedBy { get; private set; }

    /// <summary>Plans the merge of <paramref name="requested"/> (its roots are the tasks asked for) into a run.</summary>
    /// <param name="requested">The requested tasks, resolved on their own.</param>
    /// <param name="requesterId">The task asking.</param>
    /// <param name="requesterIndex">Its index in the run.</param>
    /// <param name="existing">A task of the run by id, or null.</param>
    /// <param name="downstream">The ids of the requester and of every task downstream of it in the run.</param>
    /// <param name="nextIndex">The run's number of tasks: the first index to give.</param>
    public static GraphExtension Plan(
        TaskGraph requested, string requesterId, int requesterIndex, Func<string, RunTaskState?> existing, IReadOnlySet<string> downstream, int nextIndex)
    {
        var plan = new GraphExtension();
        var runIndex = new int[requested.Nodes.Count];
        var states = new Dictionary<int, RunTaskState>();
        var order = new List<TaskNode>();
        var visited = new HashSet<int>();
        foreach (var root in requested.Roots)
        {
            if (plan.Visit(requested, requested.Nodes[root], requesterId, requested.Nodes[root].TaskId, existing, downstream, runIndex, states, order, visited, ref nextIndex)
                is { } cycle)
            {
                return new GraphExtension { CycleError = cycle };
            }
        }

        foreach (var node in order)
        {
            var index = runIndex[node.Index];
            var state = node.State;
            string? blockedBy = null;
            var remaining = 0;
            foreach (var requirement in node.Requirements)
            {
                var of = states[runIndex[requirement]];
                plan.Edges.Add((runIndex[requirement], index));
                if (state == TaskState.Pending && of.Blocker() is { } blocker)
                {
                    state = TaskState.UpstreamFailed;
                    blockedBy = blocker;
                }

                remaining += of.State.IsSatisfied() ? 0 : 1;
            }

            states[index] = new RunTaskState(index, node.TaskId, state, blockedBy);
            plan.Added.Add(new AddedTask(index, node, state, blockedBy, remaining));
        }

        foreach (var root in requested.Roots)
        {
            var of = states[runIndex[root]];
            plan.Edges.Add((of.Index, requesterIndex));
            plan.RequesterBlockedBy ??= of.Blocker();
            plan.RequesterRemaining += of.State.IsSatisfied() ? 0 : 1;
        }

        return plan;
    }

    /// <summary>Numbers <paramref name="node"/> and the new tasks it requires (depth first, requirements first); returns a cycle's error.</summary>
    private string? Visit(
        TaskGraph requested, TaskNode node, string requesterId, string root, Func<string, RunTaskState?> existing, IReadOnlySet<string> downstream,
        int[] runIndex, Dictionary<int, RunTaskState> states, List<TaskNode> order, HashSet<int> visited, ref int nextIndex)
    {
        if (!visited.Add(node.Index))
        {
            return null;
        }

        if (downstream.Contains(node.TaskId))
        {
            var path = node.TaskId == requesterId ? $"which requires {requesterId}"
                : node.TaskId == root ? $"which is downstream of {requesterId} (it requires {requesterId})"
                : $"which requires {node.TaskId}, which is downstream of {requesterId}";
            return $"Dependency cycle at run time: {requesterId} requires {root}, {path}. The requirement was refused.";
        }

        if (existing(node.TaskId) is { } known)
        {
            runIndex[node.Index] = known.Index; // the run has it: reused, its own requirements are the run's
            states[known.Index] = known;
            return null;
        }

        foreach (var requirement in node.Requirements)
        {
            if (Visit(requested, requested.Nodes[requirement], requesterId, root, existing, downstream, runIndex, states, order, visited, ref nextIndex) is { } cycle)
            {
                return cycle;
            }
        }

        runIndex[node.Index] = nextIndex++;
        order.Add(node);
        return null;
    }
}

/// <summary>A task of a run as a merge sees it: its index, its state and, when blocked, the failed task that blocked it.</summary>
internal sealed record RunTaskState(int Index, string TaskId, TaskState State, string? BlockedBy)
{
    /// <summary>The failed task that keeps a dependent from ever running, or null when it may still run.</summary>
    public string? Blocker() => State switch
    {
        TaskState.Failed or TaskState.Cancelled => TaskId,
        TaskState.UpstreamFailed => BlockedBy ?? TaskId,
        _ => null,
    };
}

/// <summary>A task new to the run: its index in the run, the resolved node it comes from, its state, blocker and count of unsatisfied requirements.</summary>
internal sealed record AddedTask(int Index, TaskNode Source, TaskState State, string? BlockedBy, int Remaining);
