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

    /// <summary>The key of <see cref="HttpContext.Items"/> holding why a request's token was refused.</summary>
    public const string RefusalItem = "luigi:token_refusal";

    /// <summary>The claim with the id of the token a request was signed in with.</summary>
    public const string TokenIdClaim = "luigi:token_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (AuthSchemes.BearerOf(Request) is not { } text)
        {
            return AuthenticateResult.NoResult();
        }

        var check = await tokens.CheckAsync(text, Context.RequestAborted);
        if (check.Identity is not { } identity)
        {
            Context.Items[RefusalItem] = check.Refusal;
            return AuthenticateResult.Fail(check.Refusal!);
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
        // RFC 6750: a token that was sent and refused is invalid_token, with the reason (expired, revoked, ...).
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Context.Items[RefusalItem] is string reason
            ? $"Bearer error=\"invalid_token\", error_description=\"{reason.Replace("\"", "'", StringComparison.Ordinal)}\""
            : "Bearer";
        return Task.CompletedTask;
    }
}
