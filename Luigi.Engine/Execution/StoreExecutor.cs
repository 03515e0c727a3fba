using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Monitoring;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Luigi.Engine.Events;

namespace Luigi.Engine.Execution;

/// <summary>
/// The executor of one process: its <see cref="Client"/> (commands: enqueue, re-run, cancel, wait) and its host (the
/// loop that resolves runs and runs their tasks, started by <see cref="RunAsync"/>), over one run queue: the store's
/// (SQLite or PostgreSQL, shared with every other host) or one in memory (<see cref="LuigiEngine"/>). The web host
/// hands the client to its pages, API and hub and runs the host as a hosted service; the command line and the
/// benchmarks use both through the shorthands here.
/// </summary>
public sealed class StoreExecutor
{
    private readonly ExecutorContext _context;
    private readonly ExecutorHost _host;

    /// <summary>An executor over the store <paramref name="store"/> (the store package's <c>LuigiStore</c>).</summary>
    public StoreExecutor(
        RunStore store, PipelineRegistry pipelines, LuigiEngineOptions engine, StoreExecutorOptions options,
        TimeProvider? time = null, ILoggerFactory? loggers = null, string? hostName = null, IEnumerable<IRunObserver>? observers = null,
        HostIdentity? identity = null, LuigiTelemetry? telemetry = null)
        : this(store.CreateQueue(time ?? TimeProvider.System, engine.Resources, loggers), pipelines, engine, options, time, loggers, hostName, observers, identity, telemetry)
    {
    }

    /// <summary>An executor over any run queue: the store's (<see cref="RunStore"/>) or one in memory (<see cref="MemoryRunQueue"/>).</summary>
    internal StoreExecutor(
        IRunQueue queue, PipelineRegistry pipelines, LuigiEngineOptions engine, StoreExecutorOptions options,
        TimeProvider? time = null, ILoggerFactory? loggers = null, string? hostName = null, IEnumerable<IRunObserver>? observers = null,
        HostIdentity? identity = null, LuigiTelemetry? telemetry = null)
    {
        time ??= TimeProvider.System;
        _context = new ExecutorContext(queue, pipelines, identity ?? new HostIdentity(engine.Workers, time, hostName), engine, options, time,
            loggers ?? NullLoggerFactory.Instance, observers ?? [], telemetry);
        _host = new ExecutorHost(_context);
        Client = new RunClient(_context);
        Host = _context.Identity.ToRecord();
    }

    /// <summary>The commands: what pages, the API, the hub and the command line use.</summary>
    public RunClient Client { get; }

    /// <summary>Who this host is to the store.</summary>
    public HostIdentity Identity => _context.Identity;

    /// <summary>This host as the store knows it.</summary>
    public HostRecord Host { get; }

    /// <summary>Records this host in the store (also done when <see cref="RunAsync"/> starts).</summary>
    public Task RegisterAsync(CancellationToken cancellationToken = default) => _host.RegisterAsync(cancellationToken);

    /// <summary>Runs this host until <paramref name="stoppingToken"/> fires; running attempts are then stopped
    /// and their tasks given back to the queue, and every outcome already computed is written before it returns.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => _host.RunAsync(null, stoppingToken);

    /// <inheritdoc cref="RunClient.EnqueueAsync"/>
    /// <exception cref="UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="ParameterException">A parameter is unknown, malformed or missing.</exception>
    public Task<Guid> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default) => Client.EnqueueAsync(request, cancellationToken);

    /// <inheritdoc cref="RunClient.RerunAsync"/>
    public Task<Guid?> RerunAsync(Guid runId, RerunScope scope, string? taskId, string? requestedBy, CancellationToken cancellationToken = default) =>
        Client.RerunAsync(runId, scope, taskId, requestedBy, cancellationToken);

    /// <inheritdoc cref="RunClient.CancelAsync(Guid, CancellationToken)"/>
    public Task<CancelResult> CancelAsync(Guid runId, CancellationToken cancellationToken = default) => Client.CancelAsync(runId, cancellationToken);

    /// <inheritdoc cref="RunClient.CancelAsync(Guid, string?, RunTrigger, CancellationToken)"/>
    public Task<CancelResult> CancelAsync(Guid runId, string? requestedBy, RunTrigger via, CancellationToken cancellationToken = default) =>
        Client.CancelAsync(runId, requestedBy, via, cancellationToken);

    /// <inheritdoc cref="RunClient.WaitForRunAsync"/>
    public Task<RunState> WaitForRunAsync(Guid runId, CancellationToken cancellationToken = default) => Client.WaitForRunAsync(runId, cancellationToken);

    /// <summary>
    /// Works on <paramref name="runId"/> alone until it ends, then stops (the command line's <c>run</c>: it
    /// must not take up work queued by others). When <paramref name="cancellationToken"/> fires, the run is
    /// cancelled and this waits for it to stop.
    /// </summary>
    public async Task<RunState> RunToEndAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        using var stop = new CancellationTokenSource();
        var host = _host.RunAsync(runId, stop.Token);
        RunState state;
        try
        {
            state = await Client.WaitForRunAsync(runId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Client.CancelAsync(runId, CancellationToken.None).ConfigureAwait(false);
            state = await Client.WaitForRunAsync(runId, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await host.ConfigureAwait(false);
        }

        return state;
    }

    /// <summary>
    /// Runs a graph resolved by the caller under <paramref name="request"/> (which names the run's id), on this host alone,
    /// until it ends: <see cref="LuigiEngine"/>'s way through the one executor. The graph's nodes are the run's tasks.
    /// </summary>
    internal async Task<RunState> RunGraphToEndAsync(TaskGraph graph, RunRequest request, CancellationToken cancellationToken)
    {
        var id = await _context.Queue.EnqueueAsync(request, CancellationToken.None).ConfigureAwait(false);
        _context.Signals.ResolvedHere[id] = graph;
        _context.Observers.RunChanged(id, request.Pipeline, RunState.Queued);
        return await RunToEndAsync(id, cancellationToken).ConfigureAwait(false);
    }
}
