using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Luigi.Engine.Execution;

/// <summary>
/// Group commit of a host's outcomes: workers hand their outcomes here and are free for the next task
/// at once; one loop commits whatever has gathered in one transaction, so workers finishing together
/// cost one commit, not one each. Nothing waits for company: when the loop is idle, an outcome is
/// committed as soon as it arrives, and the group is what arrived during the previous commit.
/// </summary>
internal sealed class CompletionWriter
{
    /// <summary>The most outcomes one transaction takes.</summary>
    public const int MaxGroup = 500;

    private readonly Channel<Submitted> _queue = Channel.CreateUnbounded<Submitted>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(Guid RunId, int TaskIndex), byte> _pending = new();
    private int _backlog;

    /// <summary>Outcomes handed over and not yet committed.</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>The tasks whose outcome waits to be committed: the host still holds them, and renews their leases.</summary>
    public ICollection<(Guid RunId, int TaskIndex)> Pending => _pending.Keys;

    /// <summary>Queues an outcome; the task completes once it is committed, with null when it was refused (the lease
    /// was lost) or could not be written (the error went to the <c>committed</c> callback of <see cref="RunAsync"/>).</summary>
    public Task<CompletionResult?> SubmitAsync(TaskCompletion completion)
    {
        var submitted = new Submitted(completion, new TaskCompletionSource<CompletionResult?>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _backlog);
        _pending[(completion.RunId, completion.TaskIndex)] = 0;
        if (!_queue.Writer.TryWrite(submitted))
        {
            Interlocked.Decrement(ref _backlog);
            _pending.TryRemove((completion.RunId, completion.TaskIndex), out _);
            throw new InvalidOperationException("The completion writer has stopped.");
        }

        return submitted.Committed.Task;
    }

    /// <summary>No more outcomes will come: <see cref="RunAsync"/> ends once the queue is written.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// Commits groups until <see cref="Complete"/> is called and the queue is empty. <paramref name="commit"/>
    /// writes a group (retrying while the database is away); when it throws for a group of several, each
    /// outcome is committed alone, so that one unwritable outcome does not hold back the others.
    /// <paramref name="committed"/> hears each outcome's result, or its error.
    /// </summary>
    public async Task RunAsync(
        Func<IReadOnlyList<TaskCompletion>, Task<CompletionResult?[]>> commit, Action<TaskCompletion, CompletionResult?, Exception?> committed)
    {
        var group = new List<Submitted>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Let the work items already queued on the thread pool run first (workers whose tasks ended at the
            // same moment are about to hand over their outcomes): one turn of the queue, not a timed wait.
            await Task.Yield();
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var submitted))
            {
                group.Add(submitted);
            }

            try
            {
                Report(group, await commit(group.ConvertAll(s => s.Completion)).ConfigureAwait(false), committed);
            }
            catch (Exception) when (group.Count > 1)
            {
                foreach (var alone in group)
                {
                    await CommitAloneAsync(alone, commit, committed).ConfigureAwait(false);
                }
            }
            catch (Exception exception)
            {
                Fail(group[0], exception, committed);
            }
        }
    }

    private async Task CommitAloneAsync(
        Submitted submitted, Func<IReadOnlyList<TaskCompletion>, Task<CompletionResult?[]>> commit, Action<TaskCompletion, CompletionResult?, Exception?> committed)
    {
        try
        {
            Report([submitted], await commit([submitted.Completion]).ConfigureAwait(false), committed);
        }
        catch (Exception exception)
        {
            Fail(submitted, exception, committed);
        }
    }

    private void Report(List<Submitted> group, CompletionResult?[] results, Action<TaskCompletion, CompletionResult?, Exception?> committed)
    {
        for (var i = 0; i < group.Count; i++)
        {
            Interlocked.Decrement(ref _backlog);
            _pending.TryRemove((group[i].Completion.RunId, group[i].Completion.TaskIndex), out _);
            committed(group[i].Completion, results[i], null);
            group[i].Committed.TrySetResult(results[i]);
        }
    }

    private void Fail(Submitted submitted, Exception exception, Action<TaskCompletion, CompletionResult?, Exception?> committed)
    {
        Interlocked.Decrement(ref _backlog);
        _pending.TryRemove((submitted.Completion.RunId, submitted.Completion.TaskIndex), out _);
        committed(submitted.Completion, null, exception);
        submitted.Committed.TrySetResult(null);
    }

    private sealed record Submitted(TaskCompletion Completion, TaskCompletionSource<CompletionResult?> Committed);
}
