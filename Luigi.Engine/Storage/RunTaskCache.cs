using System.Collections.Concurrent;
using Luigi.Engine.Graph;
using Luigi.Engine.Pipelines;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Engine.Storage;

/// <summary>
/// The task instances of the runs this host works on, by task id. The host that resolved a run has them
/// from its graph; another host rebuilds them once from the pipeline and its parameters, following
/// <see cref="LuigiTask.Requires"/> only through tasks that the stored run contains.
/// </summary>
internal sealed class RunTaskCache(LuigiStore store, PipelineRegistry pipelines)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<IReadOnlyDictionary<string, LuigiTask>>>> _runs = new();

    public void Add(Guid runId, TaskGraph graph) =>
        _runs[runId] = new(Task.FromResult<IReadOnlyDictionary<string, LuigiTask>>(graph.Nodes.ToDictionary(n => n.TaskId, n => n.Task)));

    public void Forget(Guid runId) => _runs.TryRemove(runId, out _);

    public async Task<LuigiTask> GetAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        var lazy = _runs.GetOrAdd(runId, id => new(() => RebuildAsync(id, cancellationToken)));
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
        await using var context = store.CreateDbContext();
        var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
        var wanted = (await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId).Select(t => t.TaskId).ToListAsync(cancellationToken)
            .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
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
