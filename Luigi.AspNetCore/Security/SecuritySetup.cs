using Luigi.Web.Auth;
using Luigi.Engine.Storage;

namespace Luigi.Web.Security;

/// <summary>Registration and middleware of the host's browser-facing protections (docs/security.md).</summary>
public static class SecuritySetup
{
    /// <summary>Registers <see cref="WebSecurityOptions"/> from <c>Luigi:Web</c>, validated now.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is malformed; the message names it.</exception>
    public static IServiceCollection AddLuigiWebSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(WebSecurityOptions.Section).Get<WebSecurityOptions>() ?? new WebSecurityOptions();
        options.Validate();
        services.AddSingleton(options);
        return services;
    }

    /// <summary>
    /// Adds the security headers to every response, error pages included (set as the response starts, so that a
    /// handler clearing the headers does not take them away): the <see cref="ContentSecurityPolicy"/>,
    /// <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c> and <c>X-Frame-Options: DENY</c>.
    /// They replace what the framework sets on its own: Blazor's interactive pages send a policy of just
    /// <c>frame-ancestors 'self'</c> and antiforgery <c>X-Frame-Options: SAMEORIGIN</c>, both tightened here to none.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var signInOrigin = app.ApplicationServices.GetService<AuthOptions>() is { } auth ? OidcSetup.FormActionOrigin(auth.Oidc) : null;
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy.For(ContentSecurityPolicy.NonceOf(context)!, signInOrigin);
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    /// <summary>
    /// With <c>Luigi:Web:ForwardedHeaders:Enabled</c>, takes the client's address, the scheme and the host from a trusted
    /// proxy's <c>X-Forwarded-*</c> headers (see <see cref="ForwardedHeadersSettings"/>); first in the pipeline, so that
    /// everything after it (the rate limit, the origin check, the logs) sees the client. Does nothing otherwise.
    /// </summary>
    public static IApplicationBuilder UseLuigiForwardedHeaders(this IApplicationBuilder app)
    {
        var settings = app.ApplicationServices.GetRequiredService<WebSecurityOptions>().ForwardedHeaders;
        return settings.Enabled ? app.UseForwardedHeaders(settings.ToOptions()) : app;
    }

    /// <summary>
    /// Runs each request with its client's address as the <see cref="Luigi.Engine.Storage.AuditOrigin"/> (after
    /// <see cref="UseLuigiForwardedHeaders"/>), so that what the request does is audited with the address it came from.
    /// The dashboard's events run inside the request that carries its circuit's connection (<c>/_blazor</c>: the
    /// WebSocket's, or each long-polling request), so they carry it too.
    /// </summary>
    public static IApplicationBuilder UseAuditOrigin(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        using (Luigi.Engine.Storage.AuditOrigin.Use(context.Connection.RemoteIpAddress?.ToString()))
        {
            await next(context);
        }
    });

    /// <summary>Refuses cross-origin requests to the live hub and the dashboard's circuit (see <see cref="OriginCheck"/>).</summary>
    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app) => app.UseMiddleware<OriginCheck>();
}
