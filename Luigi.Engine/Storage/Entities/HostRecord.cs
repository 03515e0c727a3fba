namespace Luigi.Engine.Storage.Entities;

/// <summary>A process running the engine against this store, with its heartbeat.</summary>
public sealed class HostRecord
{
    /// <summary>Unique per process: machine name, process id and a random suffix.</summary>
    public required string Id { get; set; }

    public required string Name { get; set; }

    public int Workers { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime HeartbeatAt { get; set; }

    public DateTime? StoppedAt { get; set; }
}
