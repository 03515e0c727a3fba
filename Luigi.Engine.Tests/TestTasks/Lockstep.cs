namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// Runs tasks in rounds: each task entering waits until the test releases the round it belongs to,
/// so "which tasks run together" is decided by the engine alone, not by how long each one takes.
/// </summary>
public sealed class Lockstep
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TaskCompletionSource> _waiting = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _watchers = [];

    /// <summary>Called by a task: waits until its round is released.</summary>
    public Task EnterAsync(string task)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiting.Add(task, gate);
            foreach (var watcher in _watchers.Where(w => _waiting.Count >= w.Count).ToList())
            {
                watcher.Reached.TrySetResult();
                _watchers.Remove(watcher);
            }
        }

        return gate.Task.WaitAsync(TestTimeouts.Guard);
    }

    /// <summary>Waits until <paramref name="count"/> tasks are waiting, releases them and returns their names, sorted.</summary>
    public async Task<IReadOnlyList<string>> ReleaseRoundAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_waiting.Count >= count)
            {
                reached.TrySetResult();
            }
            else
            {
                _watchers.Add((count, reached));
            }
        }

        await reached.Task.WaitAsync(TestTimeouts.Guard);
        List<KeyValuePair<string, TaskCompletionSource>> round;
        lock (_lock)
        {
            round = _waiting.ToList();
            _waiting.Clear();
        }

        foreach (var (_, gate) in round)
        {
            gate.TrySetResult();
        }

        return round.Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();
    }
}
