namespace Luigi.Web.Security;

/// <summary>
/// Refuses (403) a request whose <c>Origin</c> is neither the host's own nor one of
/// <see cref="WebSecurityOptions.AllowedOrigins"/> when it goes to the live hub or the dashboard's circuit endpoint
/// (any method: a page of another site must not open a WebSocket in the user's name; browsers send cookies with it,
/// and CORS does not apply to WebSockets) or asks the API to act (any method but GET, HEAD and OPTIONS: a form or a
/// script of another site must not trigger, re-run or cancel). A request without <c>Origin</c> passes: it comes from
/// a program (curl, a scheduler), not from a page of another site.
/// </summary>
internal sealed class OriginCheck(RequestDelegate next, WebSecurityOptions options)
{
    /// <summary>The paths guarded for every method, with everything below them (negotiate, the WebSocket, long polling, disconnect).</summary>
    public static readonly PathString[] GuardedPaths = [Live.LiveHub.Path, "/_blazor"];

    /// <summary>The path whose requests that act (not GET, HEAD or OPTIONS) are guarded.</summary>
    public static readonly PathString ApiPath = "/api";

    private readonly Uri[] _allowed = [.. options.AllowedOrigins.Select(o => ParseOrigin(o)!)];

    public Task InvokeAsync(HttpContext context)
    {
        if (!IsGuarded(context.Request) || IsAllowed(context.Request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Items[Api.RefusalDetails.ReasonItem] =
            $"A page of another site ({context.Request.Headers.Origin}) may not act here; list it in Luigi:Web:AllowedOrigins if it is this host behind a proxy.";
        return Task.CompletedTask;
    }

    private static bool IsGuarded(HttpRequest request) =>
        GuardedPaths.Any(p => request.Path.StartsWithSegments(p))
        || (request.Path.StartsWithSegments(ApiPath) && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method));

    private bool IsAllowed(HttpRequest request)
    {
        var values = request.Headers.Origin;
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count > 1 || ParseOrigin(values[0]) is not { } origin)
        {
            return false;
        }

        var own = ParseOrigin($"{request.Scheme}://{request.Host}");
        return (own is not null && SameOrigin(origin, own)) || _allowed.Any(a => SameOrigin(origin, a));
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>An origin (http or https, a host, an optional port, nothing else) as a URI; null when it is not one.</summary>
    internal static Uri? ParseOrigin(string? value) =>
        Uri.TryCreate(value?.TrimEnd('/'), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri
            : null;
}
