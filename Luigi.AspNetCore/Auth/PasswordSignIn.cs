using Microsoft.AspNetCore.Identity;

namespace Luigi.Web.Auth;

/// <summary>What checking a user name and password found.</summary>
/// <param name="User">The user, when the password is right and the account may sign in; null otherwise.</param>
/// <param name="Refusal">Why not, as the sign-in form shows it; null when <paramref name="User"/> is set.</param>
public sealed record PasswordCheck(LuigiUser? User, string? Refusal);

/// <summary>
/// Checks a user name and password for the sign-in form so that the answer and the work behind it do not depend on
/// whether the account exists: an unknown name, or an account without a password (single sign-on), has a stand-in
/// password hash verified, as costly as a real one. Wrong passwords never lock an account (a stranger could lock out an
/// administrator); the <see cref="SignInThrottle"/> holds back one address guessing one account. An account locked by an
/// administrator says so only to whoever gives its right password.
/// </summary>
public sealed class PasswordSignIn(UserManager<LuigiUser> users, IPasswordHasher<LuigiUser> hasher, SignInThrottle throttle)
{
    /// <summary>What the form says for any wrong user name or password.</summary>
    public const string Wrong = "Wrong user name or password.";

    private static readonly LuigiUser StandIn = new() { UserName = "stand-in" };
    private static string? _standInHash;

    /// <summary>Checks <paramref name="password"/> for <paramref name="userName"/>, asked from <paramref name="address"/>.</summary>
    public async Task<PasswordCheck> CheckAsync(string userName, string password, string address)
    {
        if (throttle.Wait(userName, address) is { Ticks: > 0 } wait)
        {
            return new(null, HeldBack(wait));
        }

        var user = await users.FindByNameAsync(userName.Trim());
        bool right;
        if (user is null || !await users.HasPasswordAsync(user))
        {
            // The same work as a real check, so the time taken does not say whether the account exists.
            hasher.VerifyHashedPassword(StandIn, _standInHash ??= hasher.HashPassword(StandIn, Guid.NewGuid().ToString()), password);
            right = false;
        }
        else
        {
            right = await users.CheckPasswordAsync(user, password);
        }

        if (!right)
        {
            return throttle.Failed(userName, address) is { Ticks: > 0 } now ? new(null, HeldBack(now)) : new(null, Wrong);
        }

        throttle.Succeeded(userName, address);
        return await users.IsLockedOutAsync(user!)
            ? new(null, "This account is locked by an administrator. Ask an administrator to unlock it.")
            : new(user, null);
    }

    private static string HeldBack(TimeSpan wait) =>
        $"Too many wrong passwords for this user name from your address. Try again in {Math.Ceiling(wait.TotalSeconds):0} seconds.";
}
