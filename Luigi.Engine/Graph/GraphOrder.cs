namespace Luigi.Engine.Graph;

/// <summary>Orderings of a graph: topological order (refusing cycles) and critical-path lengths.</summary>
public static class GraphOrder
{
    /// <summary>Requirements before dependents (Kahn's algorithm, O(tasks + edges)).</summary>
    /// <exception cref="DependencyCycleException">Some tasks are on a cycle; the message names one.</exception>
    public static int[] TopologicalOrder(TaskGraph graph)
    {
        var nodes = graph.Nodes;
        var remaining = new int[nodes.Count];
        var order = new int[nodes.Count];
        var head = 0;
        var tail = 0;
        for (var i = 0; i < nodes.Count; i++)
        {
            remaining[i] = nodes[i].Requirements.Count;
            if (remaining[i] == 0)
            {
                order[tail++] = i;
            }
        }

        while (head < tail)
        {
            foreach (var dependent in nodes[order[head++]].Dependents)
            {
                if (--remaining[dependent] == 0)
                {
                    order[tail++] = dependent;
                }
            }
        }

        if (tail < nodes.Count)
        {
            throw new DependencyCycleException(FindCycle(graph, remaining));
        }

        return order;
    }

    /// <summary>
    /// Sets <see cref="TaskNode.CriticalPath"/>: the weight of the heaviest chain from each task to the
    /// end of the graph, itself included. Weights default to 1 per task; past durations can be given.
    /// </summary>
    public static void ComputeCriticalPaths(TaskGraph graph, int[] order, Func<TaskNode, double>? weight = null)
    {
        var nodes = graph.Nodes;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            var node = nodes[order[k]];
            var downstream = 0.0;
            foreach (var dependent in node.Dependents)
            {
                downstream = Math.Max(downstream, nodes[dependent].CriticalPath);
            }

            node.CriticalPath = (weight?.Invoke(node) ?? 1.0) + downstream;
        }
    }

    /// <summary>
    /// Every task left with unmet requirements after Kahn's algorithm has at least one such requirement,
    /// so following them from any of these tasks must come back to a task already on the path.
    /// </summary>
    private static List<string> FindCycle(TaskGraph graph, int[] remaining)
    {
        var nodes = graph.Nodes;
        var start = Array.FindIndex(remaining, r => r > 0);
        var positionOnPath = new Dictionary<int, int>();
        var path = new List<int>();
        var current = start;
        while (!positionOnPath.ContainsKey(current))
        {
            positionOnPath[current] = path.Count;
            path.Add(current);
            current = nodes[current].Requirements.First(r => remaining[r] > 0);
        }

        // The walk follows "requires" edges; report it in run order: each task requires the one before it.
        var cycle = path.Skip(positionOnPath[current]).Select(i => nodes[i].TaskId).Reverse().ToList();
        cycle.Add(cycle[0]);
        return cycle;
    }

    /// <summary>The states the tasks start the run in: tasks that failed during resolution block their
    /// dependents at once, so the stored graph is consistent before any worker sees it.</summary>
    internal static (TaskState[] States, string?[] BlockedBy) InitialStates(TaskGraph graph)
    {
        var nodes = graph.Nodes;
        var states = nodes.Select(n => n.State).ToArray();
        var blockedBy = new string?[nodes.Count];
        var stack = new Stack<int>();
        foreach (var failed in nodes.Where(n => n.State == TaskState.Failed))
        {
            stack.Push(failed.Index);
            while (stack.TryPop(out var current))
            {
                foreach (var dependent in nodes[current].Dependents)
                {
                    if (states[dependent] == TaskState.Pending)
                    {
                        states[dependent] = TaskState.UpstreamFailed;
                        blockedBy[dependent] = failed.TaskId;
                        stack.Push(dependent);
                    }
                }
            }
        }

        return (states, blockedBy);
    }
}
