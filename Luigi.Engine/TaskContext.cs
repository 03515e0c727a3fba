using Microsoft.Extensions.Logging;

namespace Luigi.Engine;

/// <summary>
/// What a running attempt gets from the engine: who it is and a logger whose lines are kept with this
/// attempt (and shown on the dashboard under it).
/// </summary>
public sealed class TaskContext
{
    internal TaskContext(LuigiTask task, string runId, int attempt, int worker, ILogger logger)
    {
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

    /// <summary>Shorthand for an information line.</summary>
    public void Log(string message) => Logger.Log(LogLevel.Information, message);
}
