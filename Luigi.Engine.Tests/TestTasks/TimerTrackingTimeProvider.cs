using Microsoft.Extensions.Time.Testing;

namespace Luigi.Engine.Tests.TestTasks;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when the engine has armed a timer (a retry delay or an
/// attempt timeout), so a test advances the clock only once there is something to fire.
/// </summary>
public sealed class TimerTrackingTimeProvider : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _watchers = [];
    private int _created;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _created++;
            foreach (var watcher in _watchers.Where(w => _created >= w.Count).ToList())
            {
                watcher.Reached.TrySetResult();
                _watchers.Remove(watcher);
            }
        }

        return timer;
    }

    /// <summary>Completes once <paramref name="count"/> timers have been created in total.</summary>
    public Task WaitForTimersAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_created >= count)
            {
                reached.TrySetResult();
            }
            else
            {
                _watchers.Add((count, reached));
            }
        }

        return reached.Task.WaitAsync(TestTimeouts.Guard);
    }
}
