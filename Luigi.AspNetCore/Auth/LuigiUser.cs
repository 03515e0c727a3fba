using Microsoft.AspNetCore.Identity;

namespace Luigi.Web.Auth;

/// <summary>A person (or a program's account) who signs in to the dashboard or holds API tokens. One role each (<see cref="LuigiRoles"/>).</summary>
public sealed class LuigiUser : IdentityUser
{
    /// <summary>Whether the password is a one-time password that must be replaced at the next sign-in.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>When the account was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the user last signed in to the dashboard (UTC); null when never.</summary>
    public DateTime? LastSignInAt { get; set; }
}

/// <summary>
/// A personal API token: a random secret shown once when made, of which only its SHA-256 hash is kept. It acts with its
/// owner's current role; revoking it refuses it from the next request on.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    /// <summary>The owner's <c>Id</c>.</summary>
    public string UserId { get; set; } = "";

    public LuigiUser? User { get; set; }

    /// <summary>What the token is for, as its owner named it (e.g. "nightly scheduler").</summary>
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the whole token text.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>The token's first characters (<c>lgt_</c> and 6 more), to recognise it in lists.</summary>
    public string Prefix { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// <summary>When it stops working on its own (UTC); null for never.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>When it was last used (UTC, to the minute); null when never.</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>When it was revoked (UTC); null while it works.</summary>
    public DateTime? RevokedAt { get; set; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; set; }
}
