using System.Security.Claims;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Luigi.Web.Api;

/// <summary>
/// Says why, in the problem details the host writes for a refusal that has no body of its own (401, 403, 404, 405
/// answered by the framework, the authorization middleware or the origin check): which role an action needs and which
/// the caller has, why a token was refused, that no route matches. Installed as <c>CustomizeProblemDetails</c>.
/// </summary>
public static class RefusalDetails
{
    /// <summary>The key of <see cref="HttpContext.Items"/> under which middleware leaves the reason for its refusal.</summary>
    public const string ReasonItem = "luigi:refusal";

    /// <summary>Fills the detail of a problem that has none.</summary>
    public static void Fill(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Detail is not null)
        {
            return;
        }

        var http = context.HttpContext;
        if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            var reason = $"Expected a supported JSON media type (Content-Type: application/json); got '{http.Request.ContentType}'.";
            context.ProblemDetails.Detail = reason;
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [reason] };
            return;
        }

        context.ProblemDetails.Detail = context.ProblemDetails.Status switch
        {
            StatusCodes.Status401Unauthorized => Unauthenticated(http),
            StatusCodes.Status403Forbidden => Forbidden(http),
            StatusCodes.Status404NotFound => $"Nothing is at {http.Request.Method} {http.Request.Path}. The API is described at /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not take {http.Request.Method}.",
            _ => http.Items[ReasonItem] as string,
        };
        if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && context.ProblemDetails.Detail is { } tooLarge)
        {
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [tooLarge] };
        }
    }

    private static string Unauthenticated(HttpContext http) =>
        http.Items[ApiTokenAuthenticationHandler.RefusalItem] is string reason
            ? $"{reason} Make a new token on /account."
            : "Sign in, or send a personal API token (Authorization: Bearer lgt_...) made on /account.";

    private static string Forbidden(HttpContext http)
    {
        if (http.Items[ReasonItem] is string reason)
        {
            return reason;
        }

        var policies = http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToHashSet() ?? [];
        var role = LuigiRoles.Highest(http.User.FindAll(ClaimTypes.Role).Select(c => c.Value));
        var who = http.User.Identity?.Name is { } name ? $"'{name}' has {(role is null ? "no role" : $"the {role} role")}" : "you are not signed in";
        var needed = policies.Contains(LuigiPolicies.Administer) ? LuigiRoles.Admin
            : policies.Contains(LuigiPolicies.Operate) ? LuigiRoles.Operator
            : null;
        return needed is null
            ? $"Seeing the dashboard and the API needs a role (Viewer or above); {who}."
            : $"This action needs the {needed} role or above; {who}.";
    }
}
