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
    private readonly ConcurrentDictionary<Guid, IReadOnlyDictionary<string, LuigiTask>> _loaded = new();
    private readonly ConcurrentDictionary<Guid, Lazy<Task<IReadOnlyDictionary<string, LuigiTask>>>> _loading = new();

    public void Add(Guid runId, TaskGraph graph) => _loaded[runId] = graph.Nodes.ToDictionary(n => n.TaskId, n => n.Task);

    public void Forget(Guid runId)
    {
        _loaded.TryRemove(runId, out _);
        _loading.TryRemove(runId, out _);
    }

    /// <summary>The task, when its run's tasks are at hand already (no store to read).</summary>
    public bool TryGet(Guid runId, string taskId, [NotNullWhen(true)] out LuigiTask? task)
    {
        task = null;
        return _loaded.TryGetValue(runId, out var tasks) && tasks.TryGetValue(taskId, out task);
    }

    /// <summary>The task, rebuilding its run's tasks from the pipeline once (one rebuild however many workers ask at once).</summary>
    public async ValueTask<LuigiTask> GetAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        if (!_loaded.TryGetValue(runId, out var tasks))
        {
            var lazy = _loading.GetOrAdd(runId, id => new(() => RebuildAsync(id, cancellationToken)));
            try
            {
                tasks = await lazy.Value.ConfigureAwait(false);
            }
            finally
            {
                _loading.TryRemove(new(runId, lazy));
            }

            _loaded.TryAdd(runId, tasks);
        }

        return tasks.TryGetValue(taskId, out var task)
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
