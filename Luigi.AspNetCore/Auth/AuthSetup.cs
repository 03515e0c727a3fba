using System.Security.Claims;
using StoreOptions = Luigi.Engine.Storage.StoreOptions;
using System.Threading.RateLimiting;
using Luigi.Engine.Storage;
using Luigi.Web.Hosting;
using Luigi.Web.Live;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace Luigi.Web.Auth;

/// <summary>Registration and middleware of sign-in, API tokens and authorization (docs/security.md).</summary>
public static class AuthSetup
{
    /// <summary>The rate-limiting policy of the sign-in form.</summary>
    public const string SignInRateLimit = "luigi:signin";

    /// <summary>Where the dashboard signs people in.</summary>
    public const string SignInPath = "/signin";

    /// <summary>Where a signed-in user without the right role lands.</summary>
    public const string DeniedPath = "/denied";

    /// <summary>Where the sign-out form posts.</summary>
    public const string SignOutPath = "/signout";

    /// <summary>Where the sign-in page's "sign in with the provider" form posts (OpenID Connect).</summary>
    public const string OidcSignInPath = "/signin/oidc";

    /// <summary>
    /// Registers Identity on the store's database (users, roles, API tokens, data-protection keys), the schemes (session
    /// cookie, API tokens, and the OpenID Connect provider when configured), the policies, the first administrator, the
    /// dashboard's revalidated authentication state and sign-in rate limiting, from <c>Luigi:Auth</c> (validated now).
    /// </summary>
    public static IServiceCollection AddLuigiAuth(this IServiceCollection services, IConfiguration configuration, StoreOptions store)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddAuthStore(store);
        services.AddHostedService<AuthBootstrapper>(); // before data protection's own, which reads the keys from the tables this one migrates
        services.AddDataProtection().SetApplicationName("Luigi").PersistKeysToDbContext<AuthDbContext>();

        services.AddIdentityCore<LuigiUser>(identity =>
            {
                PasswordRules.Apply(identity.Password);
                identity.Lockout.AllowedForNewUsers = true; // administrators lock accounts; wrong passwords hold back an address (SignInThrottle)
                identity.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AuthDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = options.RevalidationInterval);
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<PasswordSignIn>();

        var authentication = services.AddAuthentication(o =>
            {
                o.DefaultScheme = AuthSchemes.Default;
                o.DefaultChallengeScheme = AuthSchemes.Default;
                o.DefaultForbidScheme = AuthSchemes.Default;
            })
            .AddPolicyScheme(AuthSchemes.Default, "Session cookie, API token or bearer token", o =>
                o.ForwardDefaultSelector = context => AuthSchemes.Select(context, options.Oidc.BearerTokens))
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        authentication.AddLuigiOidc(options.Oidc);
        authentication.AddIdentityCookies(cookies => cookies.ApplicationCookie!.Configure(cookie =>
        {
            cookie.Cookie.Name = "luigi.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SessionLifetime;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = SignInPath;
            cookie.AccessDeniedPath = DeniedPath;
            cookie.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
        }));

        services.AddLuigiPolicies(fallback: HostRoleSetting.Read(configuration) != HostRole.Executor);
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();
        services.AddSingleton<ApiTokenRevocations>();
        services.AddScoped<ApiTokenService>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignInRateLimit, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.SignInAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("read"));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address. Wait a minute and try again.", cancellationToken);
            };
        });
        return services;
    }

    /// <summary>Authentication, authorization and the sign-in rate limit, in that order (after routing, before the endpoints).</summary>
    public static IApplicationBuilder UseLuigiAuth(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// Maps <see cref="SignOutPath"/>: a form post (with the antiforgery token) that ends the session and shows the sign-in
    /// page, after signing out at the OpenID Connect provider too when the session began there.
    /// </summary>
    public static IEndpointRouteBuilder MapLuigiAccount(this IEndpointRouteBuilder app)
    {
        app.MapPost(SignOutPath, async (HttpContext http, IAntiforgery antiforgery, SignInManager<LuigiUser> signIns, AuthOptions options) =>
            {
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token",
                        detail: "Sign out with the dashboard's Sign out button.");
                }

                var atProvider = options.Oidc.InteractiveSignIn
                    && http.User.FindFirstValue(ClaimTypes.AuthenticationMethod) == OidcSetup.Scheme;
                await signIns.SignOutAsync();
                // Signed in at the provider: sign out there too (RP-initiated logout), then back to the sign-in page;
                // otherwise the provider's own session would sign the user straight back in.
                return atProvider
                    ? Results.SignOut(new AuthenticationProperties { RedirectUri = $"{http.Request.PathBase}{SignInPath}" }, [OidcSetup.Scheme])
                    : Results.Redirect($"{http.Request.PathBase}{SignInPath}");
            })
            .AllowAnonymous()
            .DisableAntiforgery() // checked above, to answer with a clear problem rather than the framework's exception
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The API, the hub and the dashboard's circuit answer 401/403 to a program; pages redirect a browser to the sign-in
    /// page or the access-denied page.
    /// </summary>
    private static Task Refuse(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments(LiveHub.Path) || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/openapi"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
