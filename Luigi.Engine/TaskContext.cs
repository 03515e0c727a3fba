using Microsoft.Extensions.Logging;

namespace Luigi.Engine;

/// <summary>
/// What a running attempt gets from the engine: who it is, a logger whose lines are kept with this
/// attempt (and shown on the dashboard under it), and the host's services in a scope of its own.
/// </summary>
public sealed class TaskContext
{
    internal TaskContext(LuigiTask task, string runId, int attempt, int worker, ILogger logger, IServiceProvider services)
    {
        Services = services;
        Task = task;
        RunId = runId;
        Attempt = attempt;
        Worker = worker;
        Logger = logger;
    }

    /// <summary>The task being run.</summary>
    public LuigiTask Task { get; }

    /// <summary>The run this attempt belongs to.</summary>
    public string RunId { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, ...</summary>
    public int Attempt { get; }

    /// <summary>The worker slot (1-based) running it.</summary>
    public int Worker { get; }

    /// <summary>Lines logged here are kept per attempt.</summary>
    public ILogger Logger { get; }

    /// <summary>
    /// The host's services, in a scope made for this attempt and disposed when it ends: a scoped service (a
    /// <c>DbContext</c>) is one instance per attempt, never shared between attempts or retries. Lines that the task's own
    /// code writes to an <see cref="ILogger{TCategoryName}"/> from here during the attempt are kept with it too, as those of
    /// <see cref="Logger"/> are.
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>Shorthand for an information line.</summary>
    public void Log(string message) => Logger.Log(LogLevel.Information, message);
}
