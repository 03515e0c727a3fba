using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;

namespace Luigi.Engine.Execution;

/// <summary>
/// The task instances of the runs this host works on, by task id. The host that resolved a run has them
/// from its graph; another host rebuilds them once from the pipeline and its parameters, following
/// <see cref="LuigiTask.Requires"/> only through tasks that the stored run contains.
/// </summary>
internal sealed class RunTaskCache(IRunQueue queue, PipelineRegistry pipelines)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<IReadOnlyDictionary<string, LuigiTask>>>> _runs = new();
    private readonly ConcurrentDictionary<Guid, TaskGraph> _graphs = new();
    private readonly ConcurrentDictionary<(Guid RunId, string TaskId), LuigiTask> _found = new();

    public void Add(Guid runId, TaskGraph graph)
    {
        _runs[runId] = new(Task.FromResult<IReadOnlyDictionary<string, LuigiTask>>(graph.Nodes.ToDictionary(n => n.TaskId, n => n.Task)));
        _graphs[runId] = graph;
    }

    /// <summary>The graph of a run this host resolved, or null.</summary>
    public TaskGraph? GraphOf(Guid runId) => _graphs.GetValueOrDefault(runId);

    /// <summary>Tasks a task of the run required at run time: not reachable through <see cref="LuigiTask.Requires"/>, so kept apart.</summary>
    public void AddFound(Guid runId, IEnumerable<LuigiTask> tasks)
    {
        foreach (var task in tasks)
        {
            _found.TryAdd((runId, task.TaskId), task);
        }
    }

    public void Forget(Guid runId)
    {
        _runs.TryRemove(runId, out _);
        _graphs.TryRemove(runId, out _);
        foreach (var key in _found.Keys.Where(k => k.RunId == runId))
        {
            _found.TryRemove(key, out _);
        }
    }

    /// <summary>The task, when its run's tasks are at hand already (no store to read).</summary>
    public bool TryGet(Guid runId, string taskId, [NotNullWhen(true)] out LuigiTask? task)
    {
        if (_found.TryGetValue((runId, taskId), out task))
        {
            return true;
        }

        return _runs.TryGetValue(runId, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
            && lazy.Value.Result.TryGetValue(taskId, out task);
    }

    public async ValueTask<LuigiTask> GetAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(runId, out var lazy))
        {
            lazy = _runs.GetOrAdd(runId, id => new(() => RebuildAsync(id, cancellationToken)));
        }

        IReadOnlyDictionary<string, LuigiTask> tasks;
        try
        {
            tasks = await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _runs.TryRemove(new(runId, lazy));
            throw;
        }

        if (tasks.TryGetValue(taskId, out var task) || _found.TryGetValue((runId, taskId), out task))
        {
            return task;
        }

        // Not reachable through Requires(): a task required at run time, perhaps on another host. Made again from the store.
        return await RecreateAsync(runId, taskId, tasks.Values, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Task {taskId} is not produced by the pipeline of run {runId} any more; was the pipeline's code changed?");
    }

    /// <summary>
    /// A task another host found at run time (<see cref="TaskContext.RequireAsync(IEnumerable{LuigiTask}, CancellationToken)"/>),
    /// made again from its family and parameters as stored, as Luigi's workers make tasks: the class named by the family, in
    /// the assembly of the pipeline or of one of the run's tasks, with a public parameterless constructor; null when there is
    /// none whose instance has the same task id.
    /// </summary>
    private async Task<LuigiTask?> RecreateAsync(Guid runId, string taskId, IEnumerable<LuigiTask> known, CancellationToken cancellationToken)
    {
        if (await queue.DescribeTaskAsync(runId, taskId, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }

        var run = await queue.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var assemblies = known.Select(t => t.GetType().Assembly)
            .Prepend(run is null ? null : pipelines.Find(run.Pipeline)?.Type.Assembly)
            .OfType<System.Reflection.Assembly>().Distinct();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.Name == stored.Family && t.IsSubclassOf(typeof(LuigiTask)) && !t.IsAbstract))
        {
            try
            {
                if (ParameterSchema.For(type).Bind(stored.Parameters) is LuigiTask task && task.TaskId == taskId)
                {
                    _found.TryAdd((runId, taskId), task);
                    return task;
                }
            }
            catch (Exception exception) when (exception is ParameterException or InvalidOperationException)
            {
                // not this class
            }
        }

        return null;
    }

    private async Task<IReadOnlyDictionary<string, LuigiTask>> RebuildAsync(Guid runId, CancellationToken cancellationToken)
    {
        var run = await queue.FindRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No run {runId}.");
        var wanted = (await queue.TaskIdsAsync(runId, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, LuigiTask>(StringComparer.Ordinal);
        var stack = new Stack<LuigiTask>(pipelines.Create(run.Pipeline, run.Parameters).Roots());
        while (stack.TryPop(out var task) && found.Count < wanted.Count)
        {
            if (!wanted.Contains(task.TaskId) || !found.TryAdd(task.TaskId, task))
            {
                continue;
            }

            try
            {
                foreach (var requirement in task.Requires())
                {
                    stack.Push(requirement);
                }
            }
            catch (Exception)
            {
                // The task failed while the run was resolved; it is never claimed, its requirements are found elsewhere.
            }
        }

        return found;
    }
}
