using Luigi.Engine.Graph;

namespace Luigi.Engine;

/// <summary>How a run ended: the graph with every task's final state, attempts and errors.</summary>
public sealed class RunResult
{
    internal RunResult(string runId, TaskGraph graph, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        RunId = runId;
        Graph = graph;
        StartedAt = startedAt;
        FinishedAt = finishedAt;
        Summary = new ExecutionSummary(graph, finishedAt - startedAt);
    }

    /// <summary>The run id.</summary>
    public string RunId { get; }

    /// <summary>The resolved graph in its final state.</summary>
    public TaskGraph Graph { get; }

    /// <summary>When resolution began.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>When the last task reached its final state.</summary>
    public DateTimeOffset FinishedAt { get; }

    /// <summary>What ran, what was already complete, what failed and what was blocked.</summary>
    public ExecutionSummary Summary { get; }

    /// <summary>True when every requested task is done or was already complete.</summary>
    public bool Succeeded => Graph.Roots.All(r => Graph.Nodes[r].State.IsSatisfied());

    /// <summary>The process exit code for a command line: 0 when <see cref="Succeeded"/>, else 1.</summary>
    public int ExitCode => Succeeded ? 0 : 1;

    /// <summary>The state of a task by id; throws when the task is not in the graph.</summary>
    public TaskState StateOf(string taskId) =>
        (Graph.Find(taskId) ?? throw new KeyNotFoundException($"No task {taskId} in run {RunId}.")).State;
}
