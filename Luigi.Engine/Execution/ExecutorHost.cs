using System.Data.Common;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Events;

namespace Luigi.Engine.Execution;

/// <summary>
/// One host's part in running the queue's runs (Hangfire's <c>BackgroundJobServer</c>): its resolver takes queued runs
/// and writes their graphs; its workers claim ready tasks of any run, run them and commit each outcome; its heartbeat
/// renews its leases, puts back what dead hosts held and stops the attempts of cancelled runs. Several hosts on one
/// PostgreSQL share the work; a host that dies loses its claims when their leases expire and another host runs those
/// tasks again. A database that goes away stalls the host, which keeps trying with backoff and loses no outcome it has
/// computed. Commands (enqueue, re-run, cancel) come through <see cref="RunClient"/>.
/// </summary>
internal sealed class ExecutorHost(ExecutorContext context)
{
    /// <summary>Records this host in the store (also done when <see cref="RunAsync"/> starts).</summary>
    public Task RegisterAsync(CancellationToken cancellationToken) =>
        context.Queue.HeartbeatAsync(context.Identity.ToRecord(), context.Options.Lease, [], cancellationToken);

    /// <summary>
    /// Runs this host until <paramref name="stoppingToken"/> fires (only run <paramref name="onlyRun"/>, when given:
    /// the command line's <c>run</c> must not take up work queued by others); running attempts are then stopped and their
    /// tasks given back to the queue, and every outcome already computed is written before it returns.
    /// </summary>
    public async Task RunAsync(Guid? onlyRun, CancellationToken stoppingToken)
    {
        await context.Retry.RunAsync("register the host", RegisterAsync, stoppingToken).ConfigureAwait(false);
        var pool = new WorkerPool(context, onlyRun);
        var loops = new List<Task>();
        if (context.Queue.IsShared)
        {
            loops.Add(Task.Run(() => HeartbeatLoopAsync(pool, stoppingToken), CancellationToken.None));
        }

        if (context.Options.ResolveRuns)
        {
            loops.Add(Task.Run(() => new RunResolver(context, onlyRun).RunAsync(stoppingToken), CancellationToken.None));
        }

        void StopAttemptsOf(Guid runId) => pool.StopAttemptsOf([runId]);
        context.Signals.Work.Pulsed += pool.Pulse;
        context.Signals.RunCancelled += StopAttemptsOf;
        try
        {
            await pool.RunAsync(stoppingToken).ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            context.Signals.Work.Pulsed -= pool.Pulse;
            context.Signals.RunCancelled -= StopAttemptsOf;
        }

        try
        {
            await context.Queue.StopHostAsync(context.Identity.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            context.Logger.LogWarning(exception, "Could not mark host {Host} stopped", context.Identity.Id);
        }
    }

    /// <summary>
    /// Every heartbeat interval: renews this host's leases (and stops the attempts whose lease was lost to another
    /// host), puts back the tasks of hosts whose leases ran out, ends what dead hosts left half done, stops the attempts
    /// of runs being cancelled, and answers those waiting for runs other hosts ended.
    /// </summary>
    private async Task HeartbeatLoopAsync(WorkerPool pool, CancellationToken stoppingToken)
    {
        // When the store was out of reach, nobody could renew a lease: every live host renews its own at the first heartbeat
        // that gets through (each tries again at least once a heartbeat interval while the store is away), so this host
        // waits a whole lease after its own first heartbeat that gets through before it takes anyone's tasks for expired.
        var reachableSince = context.Time.GetUtcNow() - context.Options.Lease;
        var faulted = false;
        var host = context.Identity.ToRecord();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(context.Options.HeartbeatInterval, context.Time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await context.Retry.RunAsync("renew the heartbeat", async ct =>
            {
                pool.StopLostAttempts(await context.Queue.HeartbeatAsync(host, context.Options.Lease, pool.Holds, ct).ConfigureAwait(false));
                if (faulted)
                {
                    (reachableSince, faulted) = (context.Time.GetUtcNow(), false); // the store is back: from now on
                }

                if (context.Time.GetUtcNow() - reachableSince >= context.Options.Lease)
                {
                    await RequeueExpiredAsync(ct).ConfigureAwait(false);
                }

                var running = pool.RunningRuns.Concat(context.Signals.Awaited).ToHashSet();
                pool.StopAttemptsOf(await context.Queue.CancellingAsync(running, ct).ConfigureAwait(false));
                foreach (var runId in context.Signals.Awaited)
                {
                    await context.AnswerIfFinishedAsync(runId, ct).ConfigureAwait(false);
                }

                return true;
            }, stoppingToken, onTransient: () => faulted = true, maxDelay: context.Options.HeartbeatInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Puts back in the queue what hosts that stopped renewing held, and tells the observers.</summary>
    private async Task RequeueExpiredAsync(CancellationToken cancellationToken)
    {
        var requeued = await context.Queue.RequeueExpiredAsync(context.Options.Lease * 2, cancellationToken).ConfigureAwait(false);
        if (requeued.Tasks.Count > 0)
        {
            context.Logger.LogWarning("Put {Count} tasks with expired leases back in the queue", requeued.Tasks.Count);
            var now = context.Time.GetUtcNow().UtcDateTime;
            foreach (var (runId, taskIndex, taskId, attempt) in requeued.Tasks)
            {
                context.Observers.TaskChanged(new TaskChange(runId, taskIndex, taskId, TaskState.Pending, attempt, null, null, null, now));
            }

            context.Signals.Work.Pulse();
        }

        foreach (var run in requeued.Runs)
        {
            context.Logger.LogWarning("Run {Run} was left {Was} by a host that stopped; it is now {State}", run.RunId,
                run.State == RunState.Cancelled ? RunState.Cancelling : RunState.Resolving, run.State);
            if (run.State == RunState.Cancelled)
            {
                context.Finished(run.RunId, run.Pipeline, run.State);
            }
            else
            {
                context.Observers.RunChanged(run.RunId, run.Pipeline, run.State);
            }
        }
    }
}
