using Luigi.Engine;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Dashboard;

/// <summary>One output of a task and whether it exists (null: could not be told).</summary>
/// <param name="Target">The target as it describes itself (a path, a marker...).</param>
/// <param name="Exists">True or false; null when the check failed or took too long.</param>
public sealed record OutputStatus(string Target, bool? Exists);

/// <summary>A task's outputs, or why they are unknown.</summary>
/// <param name="Outputs">Each output, when the task could be built.</param>
/// <param name="Unknown">Why the outputs cannot be told; null when they could.</param>
public sealed record OutputReport(IReadOnlyList<OutputStatus> Outputs, string? Unknown);

/// <summary>
/// Tells whether a run's task has its outputs now: the task is built again from the pipeline and the run's
/// parameters (as another host would) and its targets are asked, all within <see cref="Timeout"/>.
/// </summary>
public sealed class TaskOutputChecker(PipelineRegistry registry, TimeProvider time)
{
    /// <summary>How long finding the task and checking its targets may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most tasks walked to find the one wanted.</summary>
    public int MaxTasksWalked { get; init; } = 200_000;

    /// <summary>The outputs of <paramref name="taskId"/> in a run of <paramref name="pipeline"/> with <paramref name="parameters"/>.</summary>
    public async Task<OutputReport> CheckAsync(
        string pipeline, IReadOnlyDictionary<string, string> parameters, string taskId, CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await Task.Run(() => CheckCoreAsync(pipeline, parameters, taskId, linked.Token), linked.Token).WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new OutputReport([], $"unknown: checking took longer than {Timeout.TotalSeconds:0} s");
        }
    }

    private async Task<OutputReport> CheckCoreAsync(
        string pipeline, IReadOnlyDictionary<string, string> parameters, string taskId, CancellationToken cancellationToken)
    {
        LuigiTask? task;
        try
        {
            task = Find(registry.Create(pipeline, parameters).Roots(), taskId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new OutputReport([], $"unknown: the task cannot be built again ({Format.FirstLine(exception.Message)})");
        }

        if (task is null)
        {
            return new OutputReport([], "unknown: the pipeline no longer produces this task");
        }

        var outputs = new List<OutputStatus>();
        IEnumerable<Target> targets;
        try
        {
            targets = task.Output().ToList();
        }
        catch (Exception exception)
        {
            return new OutputReport([], $"unknown: Output() threw ({Format.FirstLine(exception.Message)})");
        }

        foreach (var target in targets)
        {
            bool? exists;
            try
            {
                exists = await target.ExistsAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                exists = null;
            }

            outputs.Add(new OutputStatus(target.ToString() ?? target.GetType().Name, exists));
        }

        return new OutputReport(outputs, null);
    }

    private LuigiTask? Find(IEnumerable<LuigiTask> roots, string taskId, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<LuigiTask>(roots);
        while (stack.TryPop(out var task) && seen.Count < MaxTasksWalked)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (task.TaskId == taskId)
            {
                return task;
            }

            if (seen.Add(task.TaskId))
            {
                try
                {
                    foreach (var requirement in task.Requires())
                    {
                        stack.Push(requirement);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // This task failed while its run was resolved; the one wanted is looked for elsewhere.
                }
            }
        }

        return null;
    }
}
