using System.Buffers.Text;
using System.Security.Cryptography;

namespace Luigi.Web.Security;

/// <summary>
/// The Content-Security-Policy of every response, with a fresh nonce per request for the one inline script the
/// dashboard has: Blazor's import map (<c>&lt;ImportMap nonce=...&gt;</c> in <c>App.razor</c>). docs/security.md gives
/// the reason for each directive.
/// </summary>
public static class ContentSecurityPolicy
{
    private static readonly object NonceKey = new();

    /// <summary>
    /// The policy for a response whose inline scripts carry <paramref name="nonce"/>. <paramref name="signInOrigin"/> is
    /// the OpenID Connect provider's origin when the sign-in page offers sign-in there: its form posts to the host, which
    /// redirects to the provider, and browsers apply <c>form-action</c> to that redirect too.
    /// </summary>
    public static string For(string nonce, string? signInOrigin = null) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self'; " +
        "connect-src 'self'; " +
        "worker-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        $"form-action 'self'{(signInOrigin is null ? "" : " " + signInOrigin)}; " +
        "frame-ancestors 'none'";

    /// <summary>The nonce of this request's policy, made on first use; null outside a request.</summary>
    public static string? NonceOf(HttpContext? context)
    {
        if (context is null)
        {
            return null;
        }

        if (context.Items[NonceKey] is not string nonce)
        {
            nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18)); // no '+' or '/' for HTML encoding to escape
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }
}
