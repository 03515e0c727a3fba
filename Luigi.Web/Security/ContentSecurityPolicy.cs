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

    /// <summary>The policy for a response whose inline scripts carry <paramref name="nonce"/>.</summary>
    public static string For(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self'; " +
        "connect-src 'self'; " +
        "worker-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
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
