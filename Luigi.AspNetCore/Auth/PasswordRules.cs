using Microsoft.AspNetCore.Identity;

namespace Luigi.Web.Auth;

/// <summary>
/// What a password must be: long rather than clever (NIST SP 800-63B): at least <see cref="MinimumLength"/> characters, a
/// few of them different, no rules about digits or symbols.
/// </summary>
public static class PasswordRules
{
    /// <summary>The shortest password accepted.</summary>
    public const int MinimumLength = 12;

    /// <summary>Applies these rules to Identity's password validation.</summary>
    public static void Apply(PasswordOptions options)
    {
        options.RequiredLength = MinimumLength;
        options.RequiredUniqueChars = 4;
        options.RequireDigit = false;
        options.RequireLowercase = false;
        options.RequireUppercase = false;
        options.RequireNonAlphanumeric = false;
    }

    /// <summary>A one-time password: 20 characters from an alphabet without look-alikes, about 110 bits.</summary>
    public static string NewOneTimePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return new string(System.Security.Cryptography.RandomNumberGenerator.GetItems<char>(alphabet, 20));
    }
}
