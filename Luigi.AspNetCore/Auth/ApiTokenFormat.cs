using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Luigi.Web.Auth;

/// <summary>
/// The text of an API token: <c>lgt_</c> and 32 random bytes in base64url (43 characters). The prefix makes a leaked
/// token easy to recognise (secret scanners, logs) and tells it from an OpenID Connect access token on the API.
/// </summary>
public static class ApiTokenFormat
{
    /// <summary>What every token starts with.</summary>
    public const string Prefix = "lgt_";

    private const int SecretLength = 43;

    /// <summary>A new token's text.</summary>
    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="text"/> has the shape of a token (not whether it is valid).</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: 4 + SecretLength } && text.StartsWith(Prefix, StringComparison.Ordinal) && Base64Url.IsValid(text.AsSpan(Prefix.Length));

    /// <summary>What the store keeps of a token: lower-case hex SHA-256 of its text.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The token's first characters, shown in lists to recognise it.</summary>
    public static string Visible(string text) => text[..Math.Min(text.Length, Prefix.Length + 6)];
}
