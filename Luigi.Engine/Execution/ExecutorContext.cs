using Luigi.Engine.Monitoring;
using Luigi.Engine.Pipelines;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Events;

namespace Luigi.Engine.Execution;

/// <summary>
/// The parts one process's executor is made of, shared by its client (<see cref="RunClient"/>) and its host
/// (<see cref="ExecutorHost"/> with its <see cref="RunResolver"/> and <see cref="WorkerPool"/>): the run queue, who this
/// host is, the pipelines, the settings, the clock, the observers and the in-process signals between both sides.
/// </summary>
internal sealed class ExecutorContext
{
    public ExecutorContext(
        IRunQueue queue, PipelineRegistry pipelines, HostIdentity identity, LuigiEngineOptions engine, StoreExecutorOptions options,
        TimeProvider time, ILoggerFactory loggers, IEnumerable<IRunObserver> observers, LuigiTelemetry? telemetry = null)
    {
        engine.Validate();
        options.Validate();
        Queue = queue;
        Telemetry = telemetry;
        Pipelines = pipelines;
        Identity = identity;
        Engine = engine;
        Options = options;
        Time = time;
        Loggers = loggers;
        Logger = loggers.CreateLogger("Luigi.Engine.Host");
        Observers = new StoreObservers([.. observers], Logger, time, identity.Id);
        Retry = new DatabaseRetry(Logger, time, options, queue);
        Tasks = new RunTaskCache(queue, pipelines);
        Limits = RunLimits.For(pipelines, engine.MaxActiveRuns);
        Attempts = new AttemptRunner(time, loggers, engine, pipelines.Services);
        Signals.RunEnded += Tasks.Forget;
    }

    public IRunQueue Queue { get; }

    /// <summary>Where claim latencies and attempt spans go, when the host has telemetry.</summary>
    public LuigiTelemetry? Telemetry { get; }

    public PipelineRegistry Pipelines { get; }

    /// <summary>How many runs of each pipeline may be active at once.</summary>
    public RunLimits Limits { get; }

    public HostIdentity Identity { get; }

    public LuigiEngineOptions Engine { get; }

    public StoreExecutorOptions Options { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory Loggers { get; }

    public ILogger Logger { get; }

    public StoreObservers Observers { get; }

    public DatabaseRetry Retry { get; }

    /// <summary>The task instances of the runs this host works on.</summary>
    public RunTaskCache Tasks { get; }

    public AttemptRunner Attempts { get; }

    public ExecutorSignals Signals { get; } = new();

    /// <summary>How long an idle loop waits before looking again: a queue no other process changes wakes it itself.</summary>
    public TimeSpan PollInterval => Queue.IsShared ? Options.PollInterval : Timeout.InfiniteTimeSpan;

    /// <summary>The run has ended, as committed here: the observers hear it and those who wait for it are answered.</summary>
    public void Finished(Guid runId, string pipeline, RunState state)
    {
        Observers.RunChanged(runId, pipeline, state);
        Observers.RunFinished(runId, state);
        Signals.Finished(runId, state);
        if (Limits.All.Count > 0)
        {
            Signals.Work.Pulse(); // a run held back by its pipeline's limit may be taken now
        }
    }

    /// <summary>Reads the run when someone here waits for it, and answers them if it has ended (also when another host
    /// ended it). Observers are not told: they hear what this host commits, when it commits it.</summary>
    public async Task AnswerIfFinishedAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (!Signals.Awaited.Contains(runId))
        {
            return;
        }

        var run = await Queue.FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            Signals.Missing(runId);
        }
        else if (run.State is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
        {
            Signals.Finished(runId, run.State); // the observers heard it from the host that committed it (this one, or none: another host)
        }
    }
}
