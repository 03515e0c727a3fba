using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Luigi.Web.Auth;

/// <summary>
/// Signs in the owner of a personal API token sent as <c>Authorization: Bearer lgt_...</c> (or, for the live hub's
/// WebSocket, where browsers and SignalR clients cannot set headers, as the <c>access_token</c> query parameter). The
/// token is looked up on every request, so a revoked token stops working at once, and the owner's current role applies.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiToken";

    /// <summary>The claim with the id of the token a request was signed in with.</summary>
    public const string TokenIdClaim = "luigi:token_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (AuthSchemes.BearerOf(Request) is not { } text)
        {
            return AuthenticateResult.NoResult();
        }

        if (await tokens.AuthenticateAsync(text, Context.RequestAborted) is not { } identity)
        {
            return AuthenticateResult.Fail("The API token is unknown, revoked or expired, or its owner is locked out.");
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, identity.UserId),
            new(ClaimTypes.Name, identity.UserName),
            new(TokenIdClaim, identity.TokenId.ToString()),
            new("amr", "api_token"),
        ];
        if (identity.Role is { } role)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
