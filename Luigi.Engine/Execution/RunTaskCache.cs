using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Luigi.Engine.Graph;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;

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

        return tasks.TryGetValue(taskId, out var task) || _found.TryGetValue((runId, taskId), out task)
            ? task
            : throw new InvalidOperationException($"Task {taskId} is not produced by the pipeline of run {runId} any more; was the pipeline's code changed?");
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
