using Microsoft.AspNetCore.Identity;

namespace Luigi.Web.Auth;

/// <summary>Helpers over Identity's <see cref="UserManager{TUser}"/> for Luigi's one-role-per-user model.</summary>
public static class LuigiUsers
{
    /// <summary>Gives <paramref name="user"/> exactly <paramref name="role"/>, replacing any other role, and ends their other sessions' old rights (new security stamp).</summary>
    /// <exception cref="InvalidOperationException">The store refused the change.</exception>
    public static async Task SetRoleAsync(UserManager<LuigiUser> users, LuigiUser user, string role)
    {
        role = LuigiRoles.Parse(role) ?? throw new ArgumentException($"'{role}' is not a role; roles are {string.Join(", ", LuigiRoles.All)}.", nameof(role));
        var current = await users.GetRolesAsync(user);
        var stale = current.Where(r => r != role).ToList();
        if (stale.Count > 0)
        {
            Check(await users.RemoveFromRolesAsync(user, stale), $"remove {user.UserName}'s roles");
        }

        if (!current.Contains(role))
        {
            Check(await users.AddToRoleAsync(user, role), $"give {user.UserName} the role {role}");
        }

        if (stale.Count > 0 || !current.Contains(role))
        {
            Check(await users.UpdateSecurityStampAsync(user), $"end {user.UserName}'s sessions");
        }
    }

    /// <summary>The role of <paramref name="user"/>; null when none.</summary>
    public static async Task<string?> RoleOfAsync(UserManager<LuigiUser> users, LuigiUser user) => LuigiRoles.Highest(await users.GetRolesAsync(user));

    /// <summary>Identity's errors as one sentence.</summary>
    public static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Cannot {what}: {Describe(result)}");
        }
    }
}
