using System.Security.Claims;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Auth;

/// <summary>
/// Whether dashboard sessions still hold: the user exists, is not locked out, and has the security stamp the session was
/// issued with (a new role or password renews it). One check for an open page's authentication state and for the live
/// hub's connections.
/// </summary>
internal static class Sessions
{
    /// <summary>The user and security stamp of <paramref name="user"/>'s session; null when it is no session (a token, a provider's bearer token, nobody).</summary>
    public static (string UserId, string Stamp)? Of(ClaimsPrincipal? user, string stampClaim) =>
        user?.Identity?.IsAuthenticated == true && user.FindFirstValue(stampClaim) is { } stamp && user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
            ? (id, stamp)
            : null;

    /// <summary>Which of <paramref name="sessions"/> no longer hold at <paramref name="now"/>, in one query.</summary>
    public static async Task<HashSet<(string UserId, string Stamp)>> StaleAsync(
        AuthDbContext db, IReadOnlyCollection<(string UserId, string Stamp)> sessions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = sessions.Select(s => s.UserId).Distinct().ToList();
        var users = await db.Users.AsNoTracking()
            .Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, u.SecurityStamp, u.LockoutEnd })
            .ToDictionaryAsync(u => u.Id, cancellationToken);
        // Lockout is compared here: SQLite cannot compare DateTimeOffset values in a query.
        return [.. sessions.Where(s => !users.TryGetValue(s.UserId, out var user) || user.SecurityStamp != s.Stamp || user.LockoutEnd > now)];
    }
}
