using Luigi.Web.Live;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;

namespace Luigi.Web.Auth;

/// <summary>
/// Which authentication scheme reads a request: a bearer token starting with <c>lgt_</c> is a personal API token, another
/// bearer token is the OpenID Connect provider's access token (when configured), anything else is the dashboard's
/// session cookie.
/// </summary>
public static class AuthSchemes
{
    /// <summary>The host's default scheme, which forwards to one of the others by <see cref="Select"/>.</summary>
    public const string Default = "Luigi";

    /// <summary>The bearer token of a request: the <c>Authorization: Bearer</c> header, or the <c>access_token</c> query parameter on the live hub only.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Path.StartsWithSegments(LiveHub.Path) && request.Query["access_token"].ToString() is { Length: > 0 } query ? query : null;
    }

    /// <summary>The scheme for <paramref name="context"/>'s request.</summary>
    public static string Select(HttpContext context, bool oidcBearer) => BearerOf(context.Request) switch
    {
        null => IdentityConstants.ApplicationScheme,
        var token when token.StartsWith(ApiTokenFormat.Prefix, StringComparison.Ordinal) || !oidcBearer => ApiTokenAuthenticationHandler.SchemeName,
        _ => JwtBearerDefaults.AuthenticationScheme,
    };
}
