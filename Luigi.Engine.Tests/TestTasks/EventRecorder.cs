namespace Luigi.Engine.Tests.TestTasks;

/// <summary>What a task did, numbered in the order it happened across all workers.</summary>
public sealed record RecordedEvent(int Sequence, string Task, RecordedEventKind Kind);

public enum RecordedEventKind
{
    Started,
    Ended,
}

/// <summary>A thread-safe log of task starts and ends with sequence numbers, to check order and overlap.</summary>
public sealed class EventRecorder
{
    private readonly List<RecordedEvent> _events = [];

    public IReadOnlyList<RecordedEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToArray();
            }
        }
    }

    public void Started(string task) => Add(task, RecordedEventKind.Started);

    public void Ended(string task) => Add(task, RecordedEventKind.Ended);

    public bool HasStarted(string task) => Events.Any(e => e.Task == task && e.Kind == RecordedEventKind.Started);

    public int StartCount(string task) => Events.Count(e => e.Task == task && e.Kind == RecordedEventKind.Started);

    /// <summary>Sequence number of the (only) start of <paramref name="task"/>.</summary>
    public int StartOf(string task) => Events.Single(e => e.Task == task && e.Kind == RecordedEventKind.Started).Sequence;

    /// <summary>Sequence number of the (only) end of <paramref name="task"/>.</summary>
    public int EndOf(string task) => Events.Single(e => e.Task == task && e.Kind == RecordedEventKind.Ended).Sequence;

    /// <summary>Task names in the order they started.</summary>
    public IReadOnlyList<string> StartOrder => Events.Where(e => e.Kind == RecordedEventKind.Started).Select(e => e.Task).ToArray();

    private void Add(string task, RecordedEventKind kind)
    {
        lock (_events)
        {
            _events.Add(new RecordedEvent(_events.Count + 1, task, kind));
        }
    }
}
