namespace Luigi.Engine.Graph;

/// <summary>
/// The resolved dependency graph of one run: every distinct task reachable from the roots (complete
/// tasks are leaves: their requirements are not expanded) and the edges between them.
/// </summary>
public sealed class TaskGraph
{
    private readonly Dictionary<string, TaskNode> _byId;
    private readonly List<TaskNode> _nodes;

    internal TaskGraph(List<TaskNode> nodes, IReadOnlyList<int> roots, Dictionary<string, TaskNode> byId)
    {
        _nodes = nodes;
        Nodes = nodes;
        Roots = roots;
        _byId = byId;
    }

    /// <summary>All tasks, in discovery order (roots first).</summary>
    public IReadOnlyList<TaskNode> Nodes { get; }

    /// <summary>Indices of the requested tasks.</summary>
    public IReadOnlyList<int> Roots { get; }

    /// <summary>Number of requirement edges.</summary>
    public int EdgeCount => Nodes.Sum(n => n.Requirements.Count);

    /// <summary>Finds a task by id.</summary>
    public TaskNode? Find(string taskId) => _byId.GetValueOrDefault(taskId);

    /// <summary>Every edge as (requirement, dependent): the requirement runs first.</summary>
    public IEnumerable<(TaskNode Requirement, TaskNode Dependent)> Edges() =>
        Nodes.SelectMany(n => n.Requirements.Select(r => (Nodes[r], n)));

    /// <summary>Adds a task a running task required at run time (see <see cref="GraphExtension"/>); its index is the next one.</summary>
    internal void Append(TaskNode node)
    {
        if (node.Index != _nodes.Count)
        {
            throw new InvalidOperationException($"Task {node.TaskId} was numbered {node.Index}, not {_nodes.Count}.");
        }

        _nodes.Add(node);
        _byId.Add(node.TaskId, node);
    }
}
