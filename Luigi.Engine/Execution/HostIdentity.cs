using Luigi.Engine.Storage.Entities;

namespace Luigi.Engine.Execution;

/// <summary>
/// Who this process is to the store: the id its claims, leases, heartbeats and e-mail claims carry. One per process,
/// made once at start-up and shared by the executor's host, the client, the live feed and the e-mail sender.
/// </summary>
public sealed class HostIdentity
{
    /// <summary>Names this process <paramref name="name"/> (the machine's name by default), with <paramref name="workers"/> worker slots.</summary>
    public HostIdentity(int workers, TimeProvider? time = null, string? name = null)
    {
        Name = name ?? Environment.MachineName;
        Id = $"{Name}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        Workers = workers;
        StartedAt = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
    }

    /// <summary>Unique among every host that ever used the store: name, process id and a random part.</summary>
    public string Id { get; }

    /// <summary>The machine (or the name given).</summary>
    public string Name { get; }

    /// <summary>How many tasks this host runs at once.</summary>
    public int Workers { get; }

    /// <summary>When the process started, UTC.</summary>
    public DateTime StartedAt { get; }

    /// <summary>This host as a row of the store's <c>hosts</c> table.</summary>
    public HostRecord ToRecord() => new() { Id = Id, Name = Name, Workers = Workers, StartedAt = StartedAt };
}
