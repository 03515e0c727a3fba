using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;

namespace Luigi.Engine.Execution;

/// <summary>
/// The commands of the executor, apart from the host that runs the work (as Hangfire's <c>IBackgroundJobClient</c> is
/// apart from its server): ask for a run, a re-run or a cancel, and wait for a run to end. What the API, the dashboard,
/// the live hub and the command line use. Each command is written to the run queue (the store) at once; the hosts
/// take it from there, the one of this process without delay.
/// </summary>
public sealed class RunClient
{
    private readonly ExecutorContext _context;

    internal RunClient(ExecutorContext context) => _context = context;

    /// <summary>Asks for a run. Parameters are checked against the pipeline first: nothing is written when they are wrong.</summary>
    /// <exception cref="UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="ParameterException">A parameter is unknown, malformed or missing.</exception>
    public async Task<Guid> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        _context.Pipelines.Create(request.Pipeline, request.Parameters).Roots().ToList();
        if (_context.Pipelines.Find(request.Pipeline)!.WithConfiguredDefaults(request.Parameters) is { } all && all.Count > request.Parameters.Count)
        {
            request = request with { Parameters = all.ToDictionary() }; // the configured defaults it runs with are kept with it
        }

        var id = await _context.Queue.EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
        _context.Observers.RunChanged(id, request.Pipeline, RunState.Queued);
        _context.Signals.Work.Pulse();
        return id;
    }

    /// <summary>Tells this process's host and observers of a run queued in the store by other means (a schedule's tick,
    /// a backfill, which queue their runs in the transaction that records them).</summary>
    internal void Queued(Guid runId, string pipeline)
    {
        _context.Observers.RunChanged(runId, pipeline, RunState.Queued);
        _context.Signals.Work.Pulse();
    }

    /// <summary>The time every command reads.</summary>
    internal TimeProvider Time => _context.Time;

    /// <summary>
    /// Asks for a re-run of <paramref name="runId"/>: a new run of the same pipeline with the same parameters,
    /// covering <paramref name="scope"/> (<paramref name="taskId"/> names the task for
    /// <see cref="RerunScope.TaskAndDownstream"/>). Returns null when the run does not exist.
    /// </summary>
    /// <exception cref="ArgumentException">The task is not part of that run, or a task is given for another scope.</exception>
    public async Task<Guid?> RerunAsync(Guid runId, RerunScope scope, string? taskId, string? requestedBy, CancellationToken cancellationToken = default)
    {
        var parent = await _context.Queue.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (parent is null)
        {
            return null;
        }

        if ((scope == RerunScope.TaskAndDownstream) != (taskId is not null))
        {
            throw new ArgumentException("A task id is given with the TaskAndDownstream scope, and only with it.", nameof(taskId));
        }

        if (taskId is not null && !await _context.Queue.HasTaskAsync(runId, taskId, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"Run {runId} has no task {taskId}.", nameof(taskId));
        }

        return await EnqueueAsync(new RunRequest(parent.Pipeline, parent.Parameters, RunTrigger.Rerun, requestedBy, runId, scope, taskId), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Cancels a run; running attempts on every host are stopped.</summary>
    public Task<CancelResult> CancelAsync(Guid runId, CancellationToken cancellationToken = default) =>
        CancelAsync(runId, null, RunTrigger.Api, cancellationToken);

    /// <summary>
    /// Cancels a run for <paramref name="requestedBy"/>, asking through <paramref name="via"/>, recorded in the run's audit
    /// trail with the cancel itself: a queued run ends at once; otherwise its waiting tasks are cancelled and its running
    /// attempts stopped (in this process at once, on other hosts at their next heartbeat).
    /// </summary>
    public async Task<CancelResult> CancelAsync(Guid runId, string? requestedBy, RunTrigger via, CancellationToken cancellationToken = default)
    {
        var (result, run) = await _context.Queue.CancelAsync(runId, requestedBy, via, cancellationToken).ConfigureAwait(false);
        if (run is not null)
        {
            _context.Observers.Cancelled(run);
        }

        if (result == CancelResult.Cancelled)
        {
            _context.Signals.Cancelled(runId);
        }

        if (run is { State: RunState.Succeeded or RunState.Failed or RunState.Cancelled })
        {
            _context.Finished(run.RunId, run.Pipeline, run.State); // this cancel ended the run (nothing was running)
        }
        else if (run is not null)
        {
            _context.Observers.RunChanged(run.RunId, run.Pipeline, run.State);
        }

        return result;
    }

    /// <summary>Completes when the run reaches a final state (as seen by this process, or read from the store).</summary>
    /// <exception cref="KeyNotFoundException">There is no such run.</exception>
    public async Task<RunState> WaitForRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var finished = _context.Signals.WhenFinished(runId);
        // Through an outage of the store: the run is read again once it is back (and the host's heartbeat reads it too).
        await _context.Retry.RunAsync("read the run", async ct =>
        {
            await _context.AnswerIfFinishedAsync(runId, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return await finished.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
