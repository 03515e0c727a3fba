using Luigi.Engine.Execution;

namespace Luigi.Engine.Graph;

/// <summary>
/// One task of a run's graph with its state and attempts. Requirements and dependents are indices into
/// <see cref="TaskGraph.Nodes"/>, so walking the graph allocates nothing.
/// </summary>
public sealed class TaskNode
{
    private readonly List<int> _requirements = [];
    private readonly List<int> _dependents = [];
    private readonly List<AttemptRecord> _attempts = [];
    private HashSet<int>? _requirementSet;

    internal TaskNode(int index, LuigiTask task, string taskId)
    {
        Index = index;
        Task = task;
        TaskId = taskId;
    }

    /// <summary>Position in <see cref="TaskGraph.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>The task instance (the first one seen with this id).</summary>
    public LuigiTask Task { get; }

    /// <summary>The task id.</summary>
    public string TaskId { get; }

    /// <summary>The task's family.</summary>
    public string Family => Task.Family;

    /// <summary>The current state.</summary>
    public TaskState State { get; internal set; }

    /// <summary>Indices of the tasks this one requires (empty when it was found complete: not expanded).</summary>
    public IReadOnlyList<int> Requirements => _requirements;

    /// <summary>Indices of the tasks that require this one.</summary>
    public IReadOnlyList<int> Dependents => _dependents;

    /// <summary>Every attempt so far, oldest first.</summary>
    public IReadOnlyList<AttemptRecord> Attempts => _attempts;

    /// <summary>The full text of the error that failed the task (exception with stack trace), if any.</summary>
    public string? Error { get; internal set; }

    /// <summary>For <see cref="TaskState.UpstreamFailed"/>: the id of the failed task that blocked it; for
    /// <see cref="TaskState.Waiting"/>: the id of the run whose attempt of the same task id it waits for.</summary>
    public string? BlockedBy { get; internal set; }

    /// <summary>Length of the longest chain of work from this task to the end of the graph, itself included.</summary>
    public double CriticalPath { get; internal set; }

    /// <summary>The first line of <see cref="Error"/>.</summary>
    public string? ErrorSummary => Error is null ? null : FirstLine(Error);

    internal int RemainingRequirements { get; set; }

    internal int Priority { get; set; }

    /// <summary>The task's own retry policy; null means the executor's default.</summary>
    internal RetryPolicy? RetryPolicy { get; set; }

    internal TimeSpan? Timeout { get; set; }

    /// <summary>A re-run forces it to run even if complete: it never skips itself on a second look (<see cref="Recheck"/>).</summary>
    internal bool Forced { get; set; }

    /// <summary>
    /// Another run may make this task meanwhile (it shares the task id with another unfinished run, or waited for one):
    /// its completeness is checked again when it is claimed, and it is skipped as complete if so.
    /// </summary>
    internal bool Recheck { get; set; }

    /// <summary>What the task needs of each resource while it runs (see <see cref="LuigiTask.Resources"/>).</summary>
    internal IReadOnlyDictionary<string, int> Resources { get; set; } = LuigiTask.NoResources;

    internal void AddRequirement(TaskNode requirement)
    {
        if (_requirements.Count >= 16)
        {
            _requirementSet ??= [.. _requirements];
            if (!_requirementSet.Add(requirement.Index))
            {
                return;
            }
        }
        else if (_requirements.Contains(requirement.Index))
        {
            return;
        }

        {
            _requirements.Add(requirement.Index);
            requirement._dependents.Add(Index);
        }
    }

    internal void AddAttempt(AttemptRecord attempt) => _attempts.Add(attempt);

    /// <summary>Takes back the last attempt: it was opened for a task that turned out complete when claimed, and never ran.</summary>
    internal void DropLastAttempt() => _attempts.RemoveAt(_attempts.Count - 1);

    internal static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    /// <inheritdoc />
    public override string ToString() => $"{TaskId} [{State}]";
}
