namespace Luigi.Engine.Graph;

/// <summary>
/// Builds a run's graph from its roots, as Luigi does: check each task's completeness (in parallel,
/// bounded), expand the requirements of incomplete tasks only, merge tasks with the same id, and refuse
/// cycles. A task whose <see cref="LuigiTask.Requires"/>, <see cref="LuigiTask.Output"/> or
/// <see cref="LuigiTask.CompleteAsync"/> throws is marked failed with the exception; the rest of the
/// graph is built as usual.
/// </summary>
public static class GraphBuilder
{
    /// <summary>Resolves the graph reachable from <paramref name="roots"/>.</summary>
    /// <exception cref="DependencyCycleException">The requirements form a cycle.</exception>
    public static async Task<TaskGraph> BuildAsync(
        IEnumerable<LuigiTask> roots, int maxParallelChecks, CancellationToken cancellationToken, ResolutionOverrides? overrides = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelChecks, 1);
        var nodes = new List<TaskNode>();
        var byId = new Dictionary<string, TaskNode>(StringComparer.Ordinal);
        var rootIndices = new List<int>();
        var seenRoots = new HashSet<int>();
        var wave = new List<TaskNode>();

        foreach (var root in roots)
        {
            var node = GetOrAdd(root, nodes, byId, wave);
            if (seenRoots.Add(node.Index))
            {
                rootIndices.Add(node.Index);
            }
        }

        using var gate = new SemaphoreSlim(maxParallelChecks);
        while (wave.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var complete = await CheckCompletenessAsync(wave, gate, overrides, cancellationToken).ConfigureAwait(false);
            var next = new List<TaskNode>();
            for (var i = 0; i < wave.Count; i++)
            {
                var node = wave[i];
                if (node.State == TaskState.Failed)
                {
                    continue;
                }

                if (complete[i])
                {
                    node.State = TaskState.Complete;
                    continue;
                }

                if (node.Task is ExternalTask external)
                {
                    FailUnlessItWaits(node, external); // one that waits for its data is checked again when claimed
                    continue;
                }

                Expand(node, nodes, byId, next);
            }

            wave = next;
        }

        ReadTaskSettings(nodes);
        var graph = new TaskGraph(nodes, rootIndices, byId);
        var order = GraphOrder.TopologicalOrder(graph);
        GraphOrder.ComputeCriticalPaths(graph, order);
        return graph;
    }

    /// <summary>Reads each task's priority, retry policy and timeout once; a getter that throws fails the task.</summary>
    private static void ReadTaskSettings(List<TaskNode> nodes)
    {
        foreach (var node in nodes)
        {
            if (node.State.IsTerminal())
            {
                continue;
            }

            try
            {
                node.Priority = node.Task.Priority;
                node.RetryPolicy = node.Task.Retry;
                node.Timeout = node.Task.Timeout;
                node.Resources = node.Task.Resources is { Count: > 0 } resources ? new Dictionary<string, int>(resources, StringComparer.Ordinal) : LuigiTask.NoResources;
            }
            catch (Exception exception)
            {
                node.State = TaskState.Failed;
                node.Error = $"Reading the settings (Priority, Retry, Timeout, Resources) of {node.TaskId} threw: {exception}";
            }
        }
    }

    private static void FailUnlessItWaits(TaskNode node, ExternalTask external)
    {
        try
        {
            if (external.WaitFor is not null)
            {
                return;
            }
        }
        catch (Exception exception)
        {
            node.State = TaskState.Failed;
            node.Error = $"Reading the WaitFor policy of {node.TaskId} threw: {exception}";
            return;
        }

        node.State = TaskState.Failed;
        node.Error = new ExternalDependencyMissingException(external).Message;
    }

    private static void Expand(TaskNode node, List<TaskNode> nodes, Dictionary<string, TaskNode> byId, List<TaskNode> next)
    {
        var requirements = new List<LuigiTask>();
        try
        {
            foreach (var requirement in node.Task.Requires())
            {
                if (requirement is null)
                {
                    throw new InvalidOperationException($"{node.TaskId}.Requires() returned null among its requirements.");
                }

                _ = requirement.TaskId; // an id that cannot be formatted fails this task too
                requirements.Add(requirement);
            }
        }
        catch (Exception exception)
        {
            // Nothing of a half-enumerated Requires() joins the graph.
            node.State = TaskState.Failed;
            node.Error = $"Requires() of {node.TaskId} threw: {exception}";
            return;
        }

        foreach (var requirement in requirements)
        {
            node.AddRequirement(GetOrAdd(requirement, nodes, byId, next));
        }
    }

    private static TaskNode GetOrAdd(LuigiTask task, List<TaskNode> nodes, Dictionary<string, TaskNode> byId, List<TaskNode> wave)
    {
        var id = task.TaskId;
        if (!byId.TryGetValue(id, out var node))
        {
            node = new TaskNode(nodes.Count, task, id);
            nodes.Add(node);
            byId.Add(id, node);
            wave.Add(node);
        }

        return node;
    }

    private static async Task<bool[]> CheckCompletenessAsync(
        List<TaskNode> wave, SemaphoreSlim gate, ResolutionOverrides? overrides, CancellationToken cancellationToken)
    {
        var results = new bool[wave.Count];
        List<Task>? pending = null;
        for (var i = 0; i < wave.Count; i++)
        {
            var node = wave[i];
            if (overrides?.Decide(node.TaskId) is { } decided)
            {
                results[i] = decided;
                node.Forced = overrides.Force.Contains(node.TaskId);
                continue;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            ValueTask<bool> check;
            try
            {
                check = node.Task.CompleteAsync(cancellationToken);
            }
            catch (Exception exception)
            {
                FailCheck(node, exception);
                gate.Release();
                continue;
            }

            if (check.IsCompletedSuccessfully)
            {
                results[i] = check.GetAwaiter().GetResult();
                gate.Release();
            }
            else
            {
                (pending ??= []).Add(AwaitCheckAsync(check, node, results, i, gate, cancellationToken));
            }
        }

        if (pending is not null)
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return results;
    }

    private static async Task AwaitCheckAsync(
        ValueTask<bool> check, TaskNode node, bool[] results, int index, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            results[index] = await check.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The resolution itself was cancelled: reported once by the caller.
        }
        catch (Exception exception)
        {
            FailCheck(node, exception);
        }
        finally
        {
            gate.Release();
        }
    }

    private static void FailCheck(TaskNode node, Exception exception)
    {
        node.State = TaskState.Failed;
        node.Error = $"Checking whether {node.TaskId} is complete (CompleteAsync/Output) threw: {exception}";
    }
}
