using System.Security.Claims;
using System.Text.Json;
using Luigi.Web.Components.Account;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Luigi.Web.Auth;

/// <summary>
/// OpenID Connect (<see cref="OidcOptions"/>, docs/security.md "Single sign-on"): the provider's access tokens as
/// bearer tokens on the API and the live hub, and the dashboard's sign-in at the provider, which links each provider
/// user to a local account (by the provider's subject, never by name) whose role is set from the provider's claims at
/// every sign-in.
/// </summary>
public static class OidcSetup
{
    /// <summary>The interactive scheme, and the login provider's name on the local accounts it links.</summary>
    public const string Scheme = "oidc";

    /// <summary>Where the provider sends the browser back with the authorization response (form_post).</summary>
    public const string CallbackPath = "/signin-oidc";

    /// <summary>Where the browser lands after the handler has checked the response: the local account is found or made and signed in.</summary>
    public const string CompletePath = "/signin/oidc/complete";

    /// <summary>The authentication method of the bearer identities (<see cref="ClaimsIdentity.AuthenticationType"/>).</summary>
    public const string BearerAuthenticationType = "oidc_bearer";

    /// <summary>The scopes asked for when <see cref="OidcOptions.Scopes"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    /// <summary>The reasons <see cref="AuthSetup.DeniedPath"/> explains (<c>?reason=</c>).</summary>
    public static class DeniedReasons
    {
        /// <summary>The provider's claims give no Luigi role and no default role is set.</summary>
        public const string NoRole = "oidc-no-role";

        /// <summary>The local account linked to the provider's user is locked.</summary>
        public const string Locked = "oidc-locked";

        /// <summary>The provider refused, or its answer could not be checked (expired, tampered, cookies missing).</summary>
        public const string Failed = "oidc-failed";
    }

    /// <summary>
    /// Adds the bearer scheme (<see cref="JwtBearerDefaults.AuthenticationScheme"/>) when <see cref="OidcOptions.BearerTokens"/>,
    /// and the interactive scheme <see cref="Scheme"/> when <see cref="OidcOptions.InteractiveSignIn"/>; nothing otherwise.
    /// </summary>
    public static AuthenticationBuilder AddLuigiOidc(this AuthenticationBuilder authentication, OidcOptions oidc)
    {
        if (oidc.BearerTokens)
        {
            authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.Audience = oidc.Audience;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
                o.Events = new JwtBearerEvents
                {
                    // The header, or on the live hub only the access_token query parameter (WebSockets cannot send headers).
                    OnMessageReceived = context =>
                    {
                        context.Token = AuthSchemes.BearerOf(context.Request);
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context =>
                    {
                        context.Principal = BearerPrincipal(context.Principal!, oidc);
                        return Task.CompletedTask;
                    },
                };
            });
        }

        if (oidc.InteractiveSignIn)
        {
            authentication.AddOpenIdConnect(Scheme, oidc.DisplayName, o =>
            {
                o.Authority = oidc.Authority;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret; // sent as client_secret_post
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.CallbackPath = CallbackPath;
                o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
                o.Scope.Clear();
                foreach (var scope in (oidc.Scopes.Count > 0 ? oidc.Scopes : DefaultScopes).Prepend("openid").Distinct(StringComparer.Ordinal))
                {
                    o.Scope.Add(scope);
                }

                // The response comes back as a cross-site form post: over https the defaults (SameSite=None; Secure) let
                // the correlation and nonce cookies come with it. Over plain http (a provider on the same machine in
                // tests or development) a Secure cookie is never sent back, and browsers drop SameSite=None cookies
                // that are not Secure: there they are Lax, which a same-site form post carries.
                o.CorrelationCookie = new RequestSchemeCookieBuilder(o.CorrelationCookie);
                o.NonceCookie = new RequestSchemeCookieBuilder(o.NonceCookie);
                o.Events = new OpenIdConnectEvents
                {
                    OnTokenValidated = context =>
                    {
                        // Identity's external login reads the provider's key from NameIdentifier.
                        if (context.Principal?.Identity is ClaimsIdentity identity && identity.FindFirst("sub") is { } sub
                            && identity.FindFirst(ClaimTypes.NameIdentifier) is null)
                        {
                            identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, sub.Value));
                        }

                        return Task.CompletedTask;
                    },
                    OnRemoteFailure = context =>
                    {
                        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSetup))
                            .LogWarning(context.Failure, "Sign-in at the OpenID Connect provider failed");
                        context.Response.Redirect($"{context.Request.PathBase}{AuthSetup.DeniedPath}?reason={DeniedReasons.Failed}");
                        context.HandleResponse();
                        return Task.CompletedTask;
                    },
                };
            });
        }

        return authentication;
    }

    /// <summary>
    /// The origin of the provider's sign-in page when the dashboard offers sign-in there, for the Content-Security-Policy's
    /// <c>form-action</c>: browsers apply it to the redirects that follow a form's submission, and the sign-in form posts to
    /// <see cref="AuthSetup.OidcSignInPath"/>, which redirects to the provider. Null otherwise.
    /// </summary>
    public static string? FormActionOrigin(OidcOptions oidc) =>
        oidc.InteractiveSignIn && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            ? authority.GetLeftPart(UriPartial.Authority)
            : null;

    /// <summary>
    /// Maps <see cref="AuthSetup.OidcSignInPath"/> (the sign-in page's form: challenges the provider) and
    /// <see cref="CompletePath"/> (links and signs in the local account) when the dashboard offers sign-in at the provider.
    /// </summary>
    public static IEndpointRouteBuilder MapLuigiOidc(this IEndpointRouteBuilder app, OidcOptions oidc)
    {
        if (!oidc.InteractiveSignIn)
        {
            return app;
        }

        app.MapPost(AuthSetup.OidcSignInPath, async (HttpContext http, IAntiforgery antiforgery, SignInManager<LuigiUser> signIns) =>
            {
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token",
                        detail: "Sign in with the sign-in page's button.");
                }

                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                var returnUrl = ReturnUrls.Local(form["returnUrl"].ToString(), $"{http.Request.PathBase}/");
                var properties = signIns.ConfigureExternalAuthenticationProperties(Scheme, $"{http.Request.PathBase}{CompletePath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
                return Results.Challenge(properties, [Scheme]);
            })
            .AllowAnonymous()
            .DisableAntiforgery() // checked above, to answer with a clear problem rather than the framework's exception
            .ExcludeFromDescription();

        app.MapGet(CompletePath, CompleteAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// After the provider: finds the local account linked to the provider's subject or makes one, gives it the role the
    /// provider's claims give (refusing the user when none), signs it in and goes to the local <paramref name="returnUrl"/>.
    /// </summary>
    private static async Task<IResult> CompleteAsync(HttpContext http, string? returnUrl, AuthOptions options,
        SignInManager<LuigiUser> signIns, UserManager<LuigiUser> users, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(OidcSetup));
        var info = await signIns.GetExternalLoginInfoAsync();
        if (info is null || info.LoginProvider != Scheme)
        {
            return await DenyAsync(http, DeniedReasons.Failed);
        }

        var oidc = options.Oidc;
        var role = oidc.RoleFrom(ClaimValues(info.Principal, oidc.RoleClaim));
        var user = await users.FindByLoginAsync(Scheme, info.ProviderKey);
        if (role is null)
        {
            logger.LogWarning("The provider's user {Subject} has no role for Luigi in the claim {Claim}: refused", info.ProviderKey, oidc.RoleClaim);
            if (user is not null && await users.GetRolesAsync(user) is { Count: > 0 } roles)
            {
                // The provider took the role away: so does the local account, for its open sessions and API tokens too.
                Check(await users.RemoveFromRolesAsync(user, roles), $"remove {user.UserName}'s roles");
                Check(await users.UpdateSecurityStampAsync(user), $"end {user.UserName}'s sessions");
            }

            return await DenyAsync(http, DeniedReasons.NoRole);
        }

        if (user is null)
        {
            user = new LuigiUser
            {
                UserName = await FreeUserNameAsync(users, info.Principal, info.ProviderKey),
                Email = info.Principal.FindFirstValue("email"),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
            Check(await users.CreateAsync(user), $"create the account {user.UserName}"); // no password: sign-in is at the provider
            Check(await users.AddLoginAsync(user, new UserLoginInfo(Scheme, info.ProviderKey, oidc.DisplayName)), $"link {user.UserName} to the provider");
            logger.LogInformation("Made the account {UserName} for the provider's user {Subject}", user.UserName, info.ProviderKey);
        }

        if (await users.IsLockedOutAsync(user))
        {
            return await DenyAsync(http, DeniedReasons.Locked);
        }

        await LuigiUsers.SetRoleAsync(users, user, role);
        user.LastSignInAt = time.GetUtcNow().UtcDateTime;
        Check(await users.UpdateAsync(user), $"record {user.UserName}'s sign-in");
        await http.SignOutAsync(IdentityConstants.ExternalScheme);
        await signIns.SignInAsync(user, isPersistent: false, authenticationMethod: Scheme);
        return Results.Redirect(ReturnUrls.Local(returnUrl, $"{http.Request.PathBase}/"));
    }

    private static async Task<IResult> DenyAsync(HttpContext http, string reason)
    {
        await http.SignOutAsync(IdentityConstants.ExternalScheme);
        return Results.Redirect($"{http.Request.PathBase}{AuthSetup.DeniedPath}?reason={reason}");
    }

    /// <summary>
    /// The API's principal for a validated access token: its name is the <see cref="OidcOptions.NameClaim"/> (else the
    /// subject), its one role the one <see cref="OidcOptions.RoleFrom"/> gives (none when it gives none: the policies
    /// then refuse), with the subject.
    /// </summary>
    internal static ClaimsPrincipal BearerPrincipal(ClaimsPrincipal token, OidcOptions oidc)
    {
        var subject = token.FindFirstValue("sub");
        var name = token.FindFirstValue(oidc.NameClaim) is { Length: > 0 } n ? n : subject;
        List<Claim> claims = [new("amr", BearerAuthenticationType)];
        if (subject is not null)
        {
            claims.Add(new Claim("sub", subject));
            claims.Add(new Claim(ClaimTypes.NameIdentifier, subject));
        }

        if (name is not null)
        {
            claims.Add(new Claim(ClaimTypes.Name, name));
        }

        if (oidc.RoleFrom(ClaimValues(token, oidc.RoleClaim)) is { } role)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        if (token.FindFirstValue("exp") is { } expires)
        {
            claims.Add(new Claim("exp", expires, ClaimValueTypes.Integer64)); // the live hub closes the connection when it passes
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, BearerAuthenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>
    /// The values of <paramref name="type"/>: one per claim (a JSON array in a token becomes one claim per element), and
    /// the elements of a value that is itself a JSON array of strings.
    /// </summary>
    internal static IEnumerable<string> ClaimValues(ClaimsPrincipal principal, string type)
    {
        foreach (var claim in principal.FindAll(type))
        {
            var value = claim.Value.Trim();
            if (value.StartsWith('[') && TryParseArray(value) is { } elements)
            {
                foreach (var element in elements)
                {
                    yield return element;
                }
            }
            else if (value.Length > 0)
            {
                yield return value;
            }
        }
    }

    private static List<string>? TryParseArray(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return [.. document.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A user name for a new linked account: the provider's <c>preferred_username</c>, else its e-mail, else its name, else
    /// the subject, reduced to the characters Identity allows, and made unique with a suffix when taken (by a local
    /// account or another provider user: a provider's user is never attached to an existing account by name, which would
    /// hand that account to whoever can choose their name at the provider).
    /// </summary>
    private static async Task<string> FreeUserNameAsync(UserManager<LuigiUser> users, ClaimsPrincipal principal, string subject)
    {
        var allowed = users.Options.User.AllowedUserNameCharacters;
        var wanted = new[] { "preferred_username", "email", "name" }.Select(principal.FindFirstValue).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? subject;
        var name = string.Concat(wanted.Trim().Select(c => string.IsNullOrEmpty(allowed) || allowed.Contains(c) ? c : '_'));
        if (name.Trim('_').Length == 0)
        {
            name = string.Concat(subject.Select(c => string.IsNullOrEmpty(allowed) || allowed.Contains(c) ? c : '_'));
        }

        var candidate = name;
        for (var i = 2; await users.FindByNameAsync(candidate) is not null; i++)
        {
            candidate = i == 2 ? $"{name}.{Scheme}" : $"{name}.{Scheme}{i}";
        }

        return candidate;
    }

    /// <summary>
    /// A cookie as <paramref name="inner"/> makes it over https; over http not Secure, and Lax instead of SameSite=None
    /// (which browsers refuse without Secure).
    /// </summary>
    private sealed class RequestSchemeCookieBuilder(CookieBuilder inner) : CookieBuilder
    {
        public override string? Name { get => inner.Name; set => inner.Name = value; }

        public override string? Path { get => inner.Path; set => inner.Path = value; }

        public override string? Domain { get => inner.Domain; set => inner.Domain = value; }

        public override bool HttpOnly { get => inner.HttpOnly; set => inner.HttpOnly = value; }

        public override SameSiteMode SameSite { get => inner.SameSite; set => inner.SameSite = value; }

        public override CookieSecurePolicy SecurePolicy { get => inner.SecurePolicy; set => inner.SecurePolicy = value; }

        public override TimeSpan? Expiration { get => inner.Expiration; set => inner.Expiration = value; }

        public override TimeSpan? MaxAge { get => inner.MaxAge; set => inner.MaxAge = value; }

        public override bool IsEssential { get => inner.IsEssential; set => inner.IsEssential = value; }

        public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
        {
            var options = inner.Build(context, expiresFrom);
            if (!context.Request.IsHttps)
            {
                options.Secure = false;
                if (options.SameSite == SameSiteMode.None)
                {
                    options.SameSite = SameSiteMode.Lax;
                }
            }

            return options;
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Cannot {what}: {LuigiUsers.Describe(result)}");
        }
    }
}
