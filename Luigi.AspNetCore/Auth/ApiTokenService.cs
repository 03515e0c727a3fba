using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Auth;

/// <summary>A token as lists show it (never its secret).</summary>
public sealed record ApiTokenView(
    Guid Id, string Name, string Prefix, string UserId, string UserName, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? LastUsedAt,
    DateTime? RevokedAt, string? RevokedBy)
{
    /// <summary>Whether the token works at <paramref name="now"/>.</summary>
    public bool IsActive(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A new token: its text, shown once and kept nowhere, and what is kept of it.</summary>
public sealed record NewApiToken(string Text, ApiTokenView Token);

/// <summary>Who a valid token acts for: its owner, with the owner's current role.</summary>
public sealed record ApiTokenIdentity(Guid TokenId, string UserId, string UserName, string? Role);

/// <summary>What checking a token found: who it acts for, or why it is refused.</summary>
public sealed record ApiTokenCheck(ApiTokenIdentity? Identity, string? Refusal)
{
    internal static ApiTokenCheck Refused(string reason) => new(null, reason);
}

/// <summary>Makes, lists, checks and revokes personal API tokens (scoped: one per request or dashboard circuit).</summary>
public sealed class ApiTokenService(AuthDbContext db, ApiTokenRevocations revocations, TimeProvider time)
{
    /// <summary>A token as lists show it, read in the query.</summary>
    private static readonly System.Linq.Expressions.Expression<Func<ApiToken, ApiTokenView>> AsView = t =>
        new ApiTokenView(t.Id, t.Name, t.Prefix, t.UserId, t.User!.UserName!, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.RevokedBy);

    /// <summary>Longest token name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Makes a token for <paramref name="userId"/>, named <paramref name="name"/>, expiring at <paramref name="expiresAt"/> (UTC) or never.</summary>
    /// <exception cref="ArgumentException">The name is empty or too long, or the expiry is past.</exception>
    public async Task<NewApiToken> CreateAsync(string userId, string name, DateTime? expiresAt, CancellationToken cancellationToken = default, string? text = null)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ArgumentException($"A token needs a name of 1 to {MaxNameLength} characters, saying what it is for.", nameof(name));
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (expiresAt is { } expiry && expiry.ToUniversalTime() <= now)
        {
            throw new ArgumentException("The expiry date is in the past.", nameof(expiresAt));
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new ArgumentException($"There is no user {userId}.", nameof(userId));
        text ??= ApiTokenFormat.New();
        var token = new ApiToken
        {
            Id = Guid.NewGuid(), UserId = userId, Name = name, TokenHash = ApiTokenFormat.Hash(text), Prefix = ApiTokenFormat.Visible(text),
            CreatedAt = now, ExpiresAt = expiresAt?.ToUniversalTime(),
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return new NewApiToken(text, View(token, user.UserName!));
    }

    /// <summary>The tokens of <paramref name="userId"/>, or of everyone when null; newest first.</summary>
    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(string? userId, CancellationToken cancellationToken = default) =>
        await db.ApiTokens.AsNoTracking()
            .Where(t => userId == null || t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt)
            .Select(AsView)
            .ToListAsync(cancellationToken);

    /// <summary>One token; null when there is none with that id.</summary>
    public async Task<ApiTokenView?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        await db.ApiTokens.AsNoTracking().Where(t => t.Id == id).Select(AsView).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Revokes a token: refused from the next request on, and this host's live connections made with it are closed.
    /// False when there is no such token or it was revoked already.
    /// </summary>
    public async Task<bool> RevokeAsync(Guid id, string revokedBy, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.ApiTokens.Where(t => t.Id == id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.RevokedBy, revokedBy), cancellationToken);
        if (changed > 0)
        {
            revocations.Revoked(id);
        }

        return changed > 0;
    }

    /// <summary>Who <paramref name="text"/> acts for; null when it is not a token, or is unknown, revoked, expired, or its owner is locked out.</summary>
    public async Task<ApiTokenIdentity?> AuthenticateAsync(string text, CancellationToken cancellationToken = default) =>
        (await CheckAsync(text, cancellationToken)).Identity;

    /// <summary>
    /// Who <paramref name="text"/> acts for, or why it does not: malformed, unknown, revoked (when), expired (when), or
    /// its owner locked out. The reason goes back to the caller (<c>WWW-Authenticate</c>); it tells nothing of other
    /// tokens, since only the holder of a token learns about it.
    /// </summary>
    public async Task<ApiTokenCheck> CheckAsync(string text, CancellationToken cancellationToken = default)
    {
        if (!ApiTokenFormat.IsWellFormed(text))
        {
            return ApiTokenCheck.Refused("The token is malformed: an API token is lgt_ and 43 characters of base64url.");
        }

        var hash = ApiTokenFormat.Hash(text);
        var now = time.GetUtcNow().UtcDateTime;
        // One round trip: the token with its owner and the owner's roles (a row per role, one row when none).
        var rows = await (
                from t in db.ApiTokens.AsNoTracking()
                where t.TokenHash == hash
                join u in db.Users on t.UserId equals u.Id
                from ur in db.UserRoles.Where(ur => ur.UserId == u.Id).DefaultIfEmpty()
                from r in db.Roles.Where(r => r.Id == ur!.RoleId).DefaultIfEmpty()
                select new { t.Id, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.UserId, u.UserName, u.LockoutEnd, Role = r!.Name })
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return ApiTokenCheck.Refused("The token is unknown.");
        }

        var found = rows[0];
        if (found.RevokedAt is { } revoked)
        {
            return ApiTokenCheck.Refused($"The token was revoked at {revoked:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
        }

        if (found.ExpiresAt is { } expiry && expiry <= now)
        {
            return ApiTokenCheck.Refused($"The token expired at {expiry:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
        }

        if (found.LockoutEnd > time.GetUtcNow())
        {
            return ApiTokenCheck.Refused("The token's owner is locked out.");
        }

        var roles = rows.Select(r => r.Role).OfType<string>();
        if (found.LastUsedAt is null || now - found.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await db.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new ApiTokenCheck(new ApiTokenIdentity(found.Id, found.UserId, found.UserName!, LuigiRoles.Highest(roles)), null);
    }

    /// <summary>Which of <paramref name="ids"/> no longer work (revoked, expired, gone, or the owner locked out).</summary>
    public async Task<IReadOnlyList<Guid>> InactiveAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var nowOffset = time.GetUtcNow();
        var candidates = await db.ApiTokens.AsNoTracking()
            .Where(t => ids.Contains(t.Id) && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new { t.Id, t.User!.LockoutEnd })
            .ToListAsync(cancellationToken);
        // Lockout is compared here: SQLite cannot compare DateTimeOffset values in a query.
        var active = candidates.Where(t => t.LockoutEnd is null || t.LockoutEnd <= nowOffset).Select(t => t.Id);
        return [.. ids.Except(active)];
    }

    private static ApiTokenView View(ApiToken t, string userName) =>
        new(t.Id, t.Name, t.Prefix, t.UserId, userName, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt, t.RevokedBy);
}

/// <summary>This host's news of revoked tokens, for the live hub to close the connections made with them.</summary>
public sealed class ApiTokenRevocations
{
    /// <summary>Raised with a token's id when it is revoked on this host.</summary>
    public event Action<Guid>? TokenRevoked;

    internal void Revoked(Guid id) => TokenRevoked?.Invoke(id);
}
