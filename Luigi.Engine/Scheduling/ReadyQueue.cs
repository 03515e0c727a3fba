using Luigi.Engine.Graph;

namespace Luigi.Engine.Scheduling;

/// <summary>
/// Tasks whose requirements are all satisfied, best first: higher <see cref="LuigiTask.Priority"/>, then
/// the longer chain of work still downstream (critical path), then discovery order. Push and pop are
/// O(log n); nothing is ever rescanned. Not thread-safe: the caller holds the run's lock.
/// </summary>
internal sealed class ReadyQueue
{
    private readonly PriorityQueue<TaskNode, (int Priority, double CriticalPath, int Index)> _queue = new(Comparer.Instance);

    public int Count => _queue.Count;

    public void Push(TaskNode node, int priority) => _queue.Enqueue(node, (priority, node.CriticalPath, node.Index));

    public bool TryPop(out TaskNode node) => _queue.TryDequeue(out node!, out _);

    public List<TaskNode> Drain()
    {
        var all = new List<TaskNode>(_queue.Count);
        while (_queue.TryDequeue(out var node, out _))
        {
            all.Add(node);
        }

        return all;
    }

    private sealed class Comparer : IComparer<(int Priority, double CriticalPath, int Index)>
    {
        public static readonly Comparer Instance = new();

        public int Compare((int Priority, double CriticalPath, int Index) x, (int Priority, double CriticalPath, int Index) y)
        {
            var byPriority = y.Priority.CompareTo(x.Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }

            var byPath = y.CriticalPath.CompareTo(x.CriticalPath);
            return byPath != 0 ? byPath : x.Index.CompareTo(y.Index);
        }
    }
}
