using System.Collections.Concurrent;

namespace Luigi.Web.Auth;

/// <summary>
/// Slows down guessing a password without handing anyone a way to lock somebody else out: wrong passwords are counted
/// per account <em>and client address</em>. After <see cref="AuthOptions.MaxFailedSignIns"/> in a row, that address
/// must wait before trying that account again, <see cref="AuthOptions.SignInBackoff"/> at first and twice as long after
/// each further wrong password, up to <see cref="AuthOptions.LockoutDuration"/>. The owner signing in from another
/// address is not held back, whatever a stranger posts; a right password clears the count.
/// </summary>
/// <remarks>
/// Unknown user names are counted exactly as known ones, so the answers tell nothing of which accounts exist. The counts
/// live in this host's memory (at most <see cref="MaxEntries"/> pairs; stale ones go first), so a restart forgets them
/// and each host of several counts its own.
/// </remarks>
public sealed class SignInThrottle(AuthOptions options, TimeProvider time)
{
    /// <summary>Most (account, address) pairs remembered.</summary>
    public const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<(string User, string Address), Entry> _entries = new();

    /// <summary>How long <paramref name="address"/> must still wait before trying <paramref name="userName"/>; zero when it may try now.</summary>
    public TimeSpan Wait(string userName, string address) =>
        _entries.TryGetValue(Key(userName, address), out var entry) && entry.HeldUntil - time.GetUtcNow() is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    /// <summary>Counts a wrong password; returns how long the address must now wait (zero while under the threshold).</summary>
    public TimeSpan Failed(string userName, string address)
    {
        var now = time.GetUtcNow();
        if (_entries.Count >= MaxEntries)
        {
            Prune(now);
        }

        var entry = _entries.AddOrUpdate(Key(userName, address), _ => Next(0, now), (_, old) => Next(old.Failures, now));
        return entry.HeldUntil - now is { Ticks: > 0 } wait ? wait : TimeSpan.Zero;
    }

    /// <summary>Forgets the wrong passwords of this account from this address (a right password was given).</summary>
    public void Succeeded(string userName, string address) => _entries.TryRemove(Key(userName, address), out _);

    /// <summary>The wait after the <paramref name="failures"/>-th wrong password in a row: none up to the threshold, then doubling.</summary>
    public static TimeSpan Backoff(int failures, AuthOptions options)
    {
        var beyond = failures - options.MaxFailedSignIns;
        if (beyond < 0)
        {
            return TimeSpan.Zero;
        }

        var wait = options.SignInBackoff.TotalSeconds * Math.Pow(2, Math.Min(beyond, 30));
        return TimeSpan.FromSeconds(Math.Min(wait, options.LockoutDuration.TotalSeconds));
    }

    private Entry Next(int failures, DateTimeOffset now) => new(failures + 1, now + Backoff(failures + 1, options), now);

    private void Prune(DateTimeOffset now)
    {
        var stale = now - options.LockoutDuration - options.LockoutDuration;
        foreach (var (key, entry) in _entries)
        {
            if (entry.LastFailure < stale || _entries.Count >= MaxEntries && entry.HeldUntil <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private static (string, string) Key(string userName, string address) => (userName.Trim().ToUpperInvariant(), address);

    private sealed record Entry(int Failures, DateTimeOffset HeldUntil, DateTimeOffset LastFailure);
}
