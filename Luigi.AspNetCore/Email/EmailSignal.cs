using System.Threading.Channels;

namespace Luigi.Web.Email;

/// <summary>
/// Wakes the e-mail sender: with a run whose tasks failed or which ended (to plan its messages at once), or
/// with nothing (a message was queued). Writing never blocks; the sender also wakes on its own timer, so a
/// signal lost with the process is made up by the next sweep.
/// </summary>
public sealed class EmailSignal
{
    private readonly Channel<Guid?> _channel = Channel.CreateUnbounded<Guid?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Something happened to <paramref name="runId"/>, or (null) a message was queued.</summary>
    public void Notify(Guid? runId) => _channel.Writer.TryWrite(runId);

    /// <summary>Waits for a signal, at most <paramref name="timeout"/>, then returns the runs signalled so far.</summary>
    public async Task<IReadOnlyCollection<Guid>> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _channel.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        var runs = new HashSet<Guid>();
        while (_channel.Reader.TryRead(out var runId))
        {
            if (runId is { } id)
            {
                runs.Add(id);
            }
        }

        return runs;
    }
}
