using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Auth;

/// <summary>A user as the administration page lists them.</summary>
public sealed record UserSummary(
    string Id, string UserName, string? Role, bool Locked, bool MustChangePassword, bool HasPassword, DateTime CreatedAt, DateTime? LastSignInAt,
    int ActiveTokens);

/// <summary>A new user, with the one-time password they sign in with (shown once, kept nowhere) when one was generated.</summary>
public sealed record CreatedUser(string Id, string UserName, string Role, string? OneTimePassword);

/// <summary>Who makes a change: the signed-in administrator's id (to refuse changes to themselves) and name (for the log).</summary>
public sealed record AdminActor(string? UserId, string Name);

/// <summary>A change to users refused; the message says why, for the page to show.</summary>
public sealed class UserAdministrationException(string message) : Exception(message);

/// <summary>
/// Managing users and everyone's API tokens (scoped). Refuses whatever would leave no unlocked administrator (demoting,
/// locking or deleting the last one) and an administrator locking or deleting themselves. Every change is logged at
/// Information with who made it; passwords never are. Callers check that the actor may administer first
/// (<see cref="LuigiPolicies.Administer"/>).
/// </summary>
public sealed class UserAdministration(
    UserManager<LuigiUser> users, AuthDbContext db, ApiTokenService tokens, ApiTokenRevocations revocations, TimeProvider time,
    ILogger<UserAdministration> logger)
{
    /// <summary>This process's changes that could remove an administrator, one at a time (see <see cref="SerializedAsync"/>).</summary>
    private static readonly SemaphoreSlim AdminChanges = new(1, 1);

    /// <summary>Longest user name.</summary>
    public const int MaxUserNameLength = 256;

    /// <summary>Every user, by name.</summary>
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var all = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var roles = await RolesByUserAsync(cancellationToken);
        var nowUtc = now.UtcDateTime;
        var tokenCounts = await db.ApiTokens.AsNoTracking()
            .Where(t => t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > nowUtc))
            .GroupBy(t => t.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.UserId, g => g.Count, cancellationToken);
        return
        [
            .. all.Select(u => new UserSummary(
                u.Id, u.UserName!, roles.GetValueOrDefault(u.Id), IsLocked(u, now), u.MustChangePassword, u.PasswordHash is not null, u.CreatedAt,
                u.LastSignInAt, tokenCounts.GetValueOrDefault(u.Id))),
        ];
    }

    /// <summary>
    /// Makes <paramref name="userName"/> with <paramref name="role"/>. Without <paramref name="password"/> a one-time
    /// password is generated and returned; either way the user chooses their own at the first sign-in.
    /// </summary>
    /// <exception cref="UserAdministrationException">The name is taken or unusable, the role unknown, or the password too weak.</exception>
    public async Task<CreatedUser> CreateAsync(string userName, string role, string? password, AdminActor actor)
    {
        userName = userName.Trim();
        var parsedRole = ParseRole(role);
        if (userName.Length is 0 or > MaxUserNameLength)
        {
            throw new UserAdministrationException($"A user name needs 1 to {MaxUserNameLength} characters.");
        }

        if (await users.FindByNameAsync(userName) is not null)
        {
            throw new UserAdministrationException($"There is already a user named '{userName}'.");
        }

        var oneTime = string.IsNullOrEmpty(password);
        password = oneTime ? PasswordRules.NewOneTimePassword() : password!;
        var user = new LuigiUser { UserName = userName, CreatedAt = time.GetUtcNow().UtcDateTime, MustChangePassword = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            throw new UserAdministrationException($"Cannot create '{userName}': {LuigiUsers.Describe(created)}");
        }

        await LuigiUsers.SetRoleAsync(users, user, parsedRole);
        logger.LogInformation("{Actor} created the user '{UserName}' with the role {Role} and a {PasswordKind} password.",
            actor.Name, userName, parsedRole, oneTime ? "one-time" : "chosen initial");
        return new CreatedUser(user.Id, userName, parsedRole, oneTime ? password : null);
    }

    /// <summary>Gives the user <paramref name="role"/> (their open sessions lose the old one within the revalidation interval).</summary>
    /// <exception cref="UserAdministrationException">No such user or role, or this would leave no unlocked administrator.</exception>
    public async Task SetRoleAsync(string userId, string role, AdminActor actor)
    {
        await SerializedAsync(async () =>
        {
            var parsedRole = ParseRole(role);
            var user = await FindAsync(userId);
            if (parsedRole != LuigiRoles.Admin)
            {
                await GuardLastAdminAsync(user, $"give {user.UserName} the role {parsedRole}");
            }

            await LuigiUsers.SetRoleAsync(users, user, parsedRole);
            logger.LogInformation("{Actor} gave '{UserName}' the role {Role}.", actor.Name, user.UserName, parsedRole);
        });
    }

    /// <summary>Locks the user out until unlocked: no sign-in, their sessions end and their API tokens stop working.</summary>
    /// <exception cref="UserAdministrationException">No such user, the actor themselves, or the last unlocked administrator.</exception>
    public async Task LockAsync(string userId, AdminActor actor)
    {
        await SerializedAsync(async () =>
        {
            var user = await FindAsync(userId);
            if (user.Id == actor.UserId)
            {
                throw new UserAdministrationException("You cannot lock yourself out. Ask another administrator.");
            }

            await GuardLastAdminAsync(user, $"lock {user.UserName}");
            Check(await users.SetLockoutEnabledAsync(user, true), "lock", user);
            Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue), "lock", user);
            Check(await users.UpdateSecurityStampAsync(user), "end the sessions of", user);
            logger.LogInformation("{Actor} locked '{UserName}'.", actor.Name, user.UserName);
        });
    }

    /// <summary>Unlocks the user (also a lock after too many wrong passwords) and forgets their failed attempts.</summary>
    /// <exception cref="UserAdministrationException">No such user.</exception>
    public async Task UnlockAsync(string userId, AdminActor actor)
    {
        var user = await FindAsync(userId);
        Check(await users.SetLockoutEndDateAsync(user, null), "unlock", user);
        Check(await users.ResetAccessFailedCountAsync(user), "unlock", user);
        logger.LogInformation("{Actor} unlocked '{UserName}'.", actor.Name, user.UserName);
    }

    /// <summary>
    /// Gives the user a new one-time password (returned, to be passed on; kept nowhere), to be replaced at their next
    /// sign-in; their open sessions end (new security stamp).
    /// </summary>
    /// <exception cref="UserAdministrationException">No such user.</exception>
    public async Task<string> ResetPasswordAsync(string userId, AdminActor actor)
    {
        var user = await FindAsync(userId);
        var password = PasswordRules.NewOneTimePassword();
        user.PasswordHash = users.PasswordHasher.HashPassword(user, password);
        user.MustChangePassword = true;
        Check(await users.UpdateSecurityStampAsync(user), "reset the password of", user); // saves the hash too
        logger.LogInformation("{Actor} reset the password of '{UserName}' to a one-time password.", actor.Name, user.UserName);
        return password;
    }

    /// <summary>Deletes the user; their API tokens go with them.</summary>
    /// <exception cref="UserAdministrationException">No such user, the actor themselves, or the last unlocked administrator.</exception>
    public async Task DeleteAsync(string userId, AdminActor actor)
    {
        await SerializedAsync(async () =>
        {
            var user = await FindAsync(userId);
            if (user.Id == actor.UserId)
            {
                throw new UserAdministrationException("You cannot delete yourself. Ask another administrator.");
            }

            await GuardLastAdminAsync(user, $"delete {user.UserName}");
            var active = await db.ApiTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null).Select(t => t.Id).ToListAsync();
            Check(await users.DeleteAsync(user), "delete", user);
            foreach (var id in active)
            {
                revocations.Revoked(id); // their rows went by cascade; close this host's live connections made with them
            }

            logger.LogInformation("{Actor} deleted the user '{UserName}' and their {TokenCount} API tokens.", actor.Name, user.UserName, active.Count);
        });
    }

    /// <summary>Every user's API tokens, newest first.</summary>
    public Task<IReadOnlyList<ApiTokenView>> ListTokensAsync(CancellationToken cancellationToken = default) => tokens.ListAsync(null, cancellationToken);

    /// <summary>Revokes anyone's token; false when it was revoked already.</summary>
    /// <exception cref="UserAdministrationException">No such token.</exception>
    public async Task<bool> RevokeTokenAsync(Guid tokenId, AdminActor actor)
    {
        var token = await tokens.FindAsync(tokenId) ?? throw new UserAdministrationException("This token no longer exists.");
        var revoked = await tokens.RevokeAsync(tokenId, actor.Name);
        if (revoked)
        {
            logger.LogInformation("{Actor} revoked the API token '{TokenName}' ({Prefix}…) of '{UserName}'.", actor.Name, token.Name, token.Prefix, token.UserName);
        }

        return revoked;
    }

    /// <summary>
    /// Runs a change that could remove an administrator one at a time: in this process (a lock), and across hosts on
    /// PostgreSQL (a transaction-scoped advisory lock, taken before the change reads anything), so that two
    /// administrators demoting, locking or deleting each other at the same moment cannot both pass the last-admin guard.
    /// </summary>
    private async Task SerializedAsync(Func<Task> change)
    {
        await AdminChanges.WaitAsync();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7723160)"); // any constant, the same on every host
            }

            await change();
            await transaction.CommitAsync();
        }
        finally
        {
            AdminChanges.Release();
        }
    }

    /// <summary>Refuses <paramref name="what"/> when <paramref name="user"/> is the only unlocked administrator.</summary>
    private async Task GuardLastAdminAsync(LuigiUser user, string what)
    {
        var now = time.GetUtcNow();
        if (IsLocked(user, now) || !await users.IsInRoleAsync(user, LuigiRoles.Admin))
        {
            return;
        }

        var others = (await users.GetUsersInRoleAsync(LuigiRoles.Admin)).Where(u => u.Id != user.Id && !IsLocked(u, now));
        if (!others.Any())
        {
            throw new UserAdministrationException(
                $"Cannot {what}: {user.UserName} is the only unlocked administrator, and nobody could manage users any more. Make another administrator first.");
        }
    }

    private async Task<LuigiUser> FindAsync(string userId)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new UserAdministrationException("This user no longer exists.");
        await db.Entry(user).ReloadAsync(); // the latest lockout, stamp and password, should this scope have read the user before
        return user;
    }

    private async Task<Dictionary<string, string?>> RolesByUserAsync(CancellationToken cancellationToken)
    {
        var pairs = await db.UserRoles.AsNoTracking()
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, Role = r.Name! })
            .ToListAsync(cancellationToken);
        return pairs.GroupBy(p => p.UserId).ToDictionary(g => g.Key, g => LuigiRoles.Highest(g.Select(p => p.Role)));
    }

    private static string ParseRole(string role) =>
        LuigiRoles.Parse(role) ?? throw new UserAdministrationException($"'{role}' is not a role; roles are {string.Join(", ", LuigiRoles.All)}.");

    private static bool IsLocked(LuigiUser user, DateTimeOffset now) => user.LockoutEnd is { } end && end > now;

    private static void Check(IdentityResult result, string what, LuigiUser user)
    {
        if (!result.Succeeded)
        {
            throw new UserAdministrationException($"Cannot {what} {user.UserName}: {LuigiUsers.Describe(result)}");
        }
    }
}
