using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Luigi.Engine.Graph;
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

    public void Add(Guid runId, TaskGraph graph) =>
        _runs[runId] = new(Task.FromResult<IReadOnlyDictionary<string, LuigiTask>>(graph.Nodes.ToDictionary(n => n.TaskId, n => n.Task)));

    public void Forget(Guid runId) => _runs.TryRemove(runId, out _);

    /// <summary>The task, when its run's tasks are at hand already (no store to read).</summary>
    public bool TryGet(Guid runId, string taskId, [NotNullWhen(true)] out LuigiTask? task)
    {
        task = null;
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
