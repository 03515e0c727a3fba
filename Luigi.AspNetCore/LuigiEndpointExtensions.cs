using Luigi.Web;
using Luigi.Web.Auth;
using Luigi.Web.Hosting;

// In the namespace of WebApplication, like UseHangfireDashboard, so that a team's Program needs no extra using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Luigi's dashboard, API, live hub, sign-in and health checks into an app (docs/authoring.md).</summary>
public static class LuigiEndpointExtensions
{
    /// <summary>
    /// Maps Luigi under <paramref name="prefix"/> (e.g. <c>"/luigi"</c>): the dashboard at <c>/luigi/</c>, the API at
    /// <c>/luigi/api/…</c>, the live hub, sign-in and sign-out, the OpenID Connect callback, the static files, the OpenAPI
    /// document, <c>/luigi/healthz</c> and, when on, the metrics. Luigi's middleware (security headers, origin check,
    /// sign-in, antiforgery) runs on that branch only: the app's own endpoints outside the prefix are its own, never
    /// sent to Luigi's sign-in. Without a prefix Luigi has the whole app, as the ready-made host (<c>luigi</c>) does.
    /// Needs <see cref="Microsoft.Extensions.DependencyInjection.LuigiServiceCollectionExtensions.AddLuigi"/> first.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a path such as <c>/luigi</c>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddLuigi</c> was not called, or Luigi is mapped already.</exception>
    public static WebApplication MapLuigi(this WebApplication app, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var path = ParsePrefix(prefix);
        var mount = app.Services.GetService<LuigiMount>()
            ?? throw new InvalidOperationException(
                "MapLuigi found none of Luigi's services: call builder.Services.AddLuigi(builder.Configuration) before builder.Build().");
        if (mount.Mapped)
        {
            throw new InvalidOperationException($"Luigi is mapped already (at '{(mount.Prefix.HasValue ? mount.Prefix : "/")}'): call MapLuigi once.");
        }

        mount.Mapped = true;
        var role = HostRoleSetting.Read(app.Configuration);
        if (!path.HasValue)
        {
            LuigiWebSetup.UseLuigiMiddleware(app, role);
            LuigiWebSetup.MapLuigiEndpoints(app, role);
            return app;
        }

        // A branch of its own (PathBase = the prefix), with its own routing: Blazor takes its base address, the sign-in
        // cookie its redirects and the hub its address from PathBase, and Luigi's routes stay "/api/runs", "/signin", …
        mount.Prefix = path;
        app.Map(path, branch =>
        {
            branch.Use((context, next) =>
            {
                LuigiMount.Mark(context);
                return next(context);
            });
            branch.UseRouting();
            LuigiWebSetup.UseLuigiMiddleware(branch, role);
            branch.UseEndpoints(endpoints => LuigiWebSetup.MapLuigiEndpoints(endpoints, role));
        });
        return app;
    }

    /// <summary>
    /// <paramref name="prefix"/> as a path: none (null, "" or "/") for the whole app, else one or more segments from a
    /// leading '/', without a trailing one, a query, a fragment, "." or ".." segments.
    /// </summary>
    /// <exception cref="ArgumentException">It is not such a path; the message says why.</exception>
    internal static PathString ParsePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix == "/")
        {
            return PathString.Empty;
        }

        var trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        var why = trimmed switch
        {
            _ when !trimmed.StartsWith('/') => "it does not start with '/'",
            _ when trimmed.IndexOfAny(['?', '#']) >= 0 => "a query or a fragment is not part of a path",
            _ when trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\\') => "it holds a space, a control character or '\\'",
            _ when trimmed[1..].Split('/').Any(segment => segment is "" or "." or "..") => "it has an empty, '.' or '..' segment",
            _ => null,
        };
        return why is null
            ? new PathString(trimmed)
            : throw new ArgumentException(
                $"MapLuigi needs a path prefix such as \"/luigi\" (or none, for the whole app), and \"{prefix}\" is not one: {why}.", nameof(prefix));
    }
}
