namespace Luigi.Engine.Execution;

/// <summary>How a host takes part in running the store's runs. Validated when the executor starts.</summary>
public sealed class StoreExecutorOptions
{
    /// <summary>
    /// How long a claim on a running task lasts without renewal; a host that dies loses its tasks after this. With the
    /// default heartbeat, a dead host's tasks run again within about 12 s (the lease, plus a heartbeat of another host to
    /// notice), while a host may stall for 8 s (a garbage collection, a slow disk) without losing its tasks.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the host renews its heartbeat and leases, looks for expired leases and for cancelled runs.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an idle worker waits before looking for work again, when nothing woke it sooner.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two tries when the database cannot be reached.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this host also resolves queued runs (an executor-only replica may still do so; a
    /// host can be made worker-only by turning it off).</summary>
    public bool ResolveRuns { get; set; } = true;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (Lease <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || MaxRetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Lease), "Lease, HeartbeatInterval, PollInterval and MaxRetryDelay must be positive.");
        }

        if (HeartbeatInterval * 2 >= Lease)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval,
                $"HeartbeatInterval must be under half the Lease ({Lease}), or leases lapse between renewals.");
        }
    }
}
