namespace Luigi.Engine.Storage;

/// <summary>
/// Where the action being served comes from, for the audit trail: the client's address, set by the host around each
/// HTTP request and each dashboard event (after a trusted proxy's forwarded headers are applied), and written with every
/// audit entry made while it is set. Flows with the asynchronous call, as <see cref="System.Diagnostics.Activity.Current"/>
/// does; nothing set (the scheduler, the command line) records no address.
/// </summary>
public static class AuditOrigin
{
    /// <summary>Longest address kept (an IPv6 address with a zone fits).</summary>
    public const int MaxLength = 64;

    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The client's address for the action in progress, or null.</summary>
    public static string? ClientAddress => Current.Value;

    /// <summary>Sets the client's address until the result is disposed (then the previous one is back).</summary>
    public static IDisposable Use(string? clientAddress)
    {
        var previous = Current.Value;
        Current.Value = string.IsNullOrWhiteSpace(clientAddress) ? null
            : clientAddress.Length > MaxLength ? clientAddress[..MaxLength] : clientAddress;
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
