using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>Hears the host's committed changes (registered as an <see cref="IRunObserver"/>) and lets a test wait for one.</summary>
public sealed class TaskChangeWaiter : IRunObserver
{
    private readonly Lock _lock = new();
    private readonly List<TaskChange> _seen = [];
    private readonly List<(Func<TaskChange, bool> Match, TaskCompletionSource Done)> _waiting = [];

    public Task WaitAsync(Func<TaskChange, bool> match)
    {
        lock (_lock)
        {
            if (_seen.Any(match))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((match, done));
            return done.Task;
        }
    }

    public void OnTaskChanged(TaskChange change)
    {
        lock (_lock)
        {
            _seen.Add(change);
            foreach (var (match, done) in _waiting.Where(w => w.Match(change)).ToList())
            {
                done.TrySetResult();
            }
        }
    }

    public void OnRunFinished(Guid runId, RunState state)
    {
    }
}
