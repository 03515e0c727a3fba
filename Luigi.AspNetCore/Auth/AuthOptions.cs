using Microsoft.Extensions.Options;

namespace Luigi.Web.Auth;

/// <summary>Settings of sign-in and access (<c>Luigi:Auth</c>), validated when the host starts (docs/security.md).</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Luigi:Auth";

    /// <summary>
    /// Whether people who are not signed in may see the dashboard and read the API (never act). Off by default: every
    /// page, API route and the live hub need a signed-in user with a role.
    /// </summary>
    public bool AllowAnonymousViewers { get; set; }

    /// <summary>The first administrator, created when the host starts and no administrator exists.</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    /// <summary>Sign-in with an OpenID Connect provider, and its access tokens on the API; off unless an authority is set.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Sign-in attempts (posted forms) allowed per client address per minute before the host answers 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// Wrong passwords in a row for one account from one client address after which that address is held back from
    /// that account (<see cref="SignInThrottle"/>). The account itself is never locked by wrong passwords.
    /// </summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>The first wait of an address held back from an account; it doubles with each further wrong password.</summary>
    public TimeSpan SignInBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait of an address held back from an account.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a dashboard session lasts without use (sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How often an open session (cookie, open dashboard page) is checked against the database: a user deleted, locked,
    /// given another role or another password loses the old session's rights within this time. API tokens are checked on
    /// every request.
    /// </summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>What is wrong with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (SignInAttemptsPerMinute < 1)
        {
            errors.Add($"{Section}:SignInAttemptsPerMinute is {SignInAttemptsPerMinute}; it must be at least 1.");
        }

        if (MaxFailedSignIns < 1)
        {
            errors.Add($"{Section}:MaxFailedSignIns is {MaxFailedSignIns}; it must be at least 1.");
        }

        if (SignInBackoff <= TimeSpan.Zero || SignInBackoff > LockoutDuration)
        {
            errors.Add($"{Section}:SignInBackoff is {SignInBackoff}; it must be positive and at most LockoutDuration.");
        }

        if (LockoutDuration <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:LockoutDuration is {LockoutDuration}; it must be positive.");
        }

        if (SessionLifetime < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Section}:SessionLifetime is {SessionLifetime}; it must be at least a minute.");
        }

        if (RevalidationInterval <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:RevalidationInterval is {RevalidationInterval}; it must be positive.");
        }

        errors.AddRange(BootstrapAdmin.Errors($"{Section}:BootstrapAdmin"));
        errors.AddRange(Oidc.Errors($"{Section}:Oidc"));
        return errors;
    }

    /// <summary>Throws when the settings are not usable.</summary>
    /// <exception cref="OptionsValidationException">A setting is wrong; the message names it.</exception>
    public void Validate()
    {
        var errors = Errors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AuthOptions), errors);
        }
    }
}

/// <summary>
/// The first administrator (<c>Luigi:Auth:BootstrapAdmin</c>). Without a password the host makes a one-time password,
/// writes it to its log once, and asks for a new one at the first sign-in: no default password exists.
/// </summary>
public sealed class BootstrapAdminOptions
{
    /// <summary>The administrator's user name.</summary>
    public string UserName { get; set; } = "admin";

    /// <summary>The administrator's password (from the environment or a secret store, never a committed file); none by default.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// An API token (<c>lgt_</c> followed by 43 base64url characters, e.g. made with
    /// <c>echo lgt_$(openssl rand 32 | basenc --base64url | tr -d =)</c>) given to the administrator, for automation that
    /// needs to call the API from the first start; none by default.
    /// </summary>
    public string? ApiToken { get; set; }

    internal IEnumerable<string> Errors(string section)
    {
        if (string.IsNullOrWhiteSpace(UserName))
        {
            yield return $"{section}:UserName is empty; it names the first administrator.";
        }

        if (Password is { Length: > 0 and < PasswordRules.MinimumLength })
        {
            yield return $"{section}:Password is too short; it needs at least {PasswordRules.MinimumLength} characters.";
        }

        if (ApiToken is { Length: > 0 } && !ApiTokenFormat.IsWellFormed(ApiToken))
        {
            yield return $"{section}:ApiToken is not an API token: it must be 'lgt_' followed by 43 base64url characters (32 random bytes).";
        }
    }
}

/// <summary>
/// OpenID Connect (<c>Luigi:Auth:Oidc</c>): interactive sign-in at the provider for the dashboard (authorization code
/// with PKCE), and the provider's access tokens accepted as bearer tokens on the API and the hub. Off unless
/// <see cref="Authority"/> is set.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL (its discovery document is at <c>/.well-known/openid-configuration</c> below it).</summary>
    public string? Authority { get; set; }

    /// <summary>This host's client id at the provider (for the dashboard's sign-in).</summary>
    public string? ClientId { get; set; }

    /// <summary>This host's client secret at the provider (from the environment or a secret store).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The audience the provider's access tokens must carry to be accepted on the API; bearer tokens are refused without it.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim holding the user's groups or roles in the provider's tokens.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim holding the user's name.</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>
    /// Which of the provider's role or group values give which Luigi role (e.g. <c>"data-platform-admins": "Admin"</c>);
    /// values named like a Luigi role (Viewer, Operator, Admin) count as that role without an entry.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The role of a provider's user whose claims give none (none by default: such a user is refused).</summary>
    public string? DefaultRole { get; set; }

    /// <summary>
    /// The scopes asked for at sign-in (<c>openid</c> is always asked for); empty by default, which asks for
    /// <c>openid profile email</c>. Empty rather than those three, since configuration binding adds to a list.
    /// </summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The name of the provider on the sign-in button.</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>Whether the provider's metadata must come over HTTPS (keep it on outside tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Whether OpenID Connect is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Whether the dashboard offers sign-in at the provider.</summary>
    public bool InteractiveSignIn => Enabled && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>Whether the API accepts the provider's access tokens.</summary>
    public bool BearerTokens => Enabled && !string.IsNullOrWhiteSpace(Audience);

    /// <summary>The Luigi role the provider's role or group <paramref name="values"/> give: the highest mapped, else <see cref="DefaultRole"/>.</summary>
    public string? RoleFrom(IEnumerable<string> values) =>
        LuigiRoles.Highest(values.Select(v => RoleMap.TryGetValue(v, out var role) ? LuigiRoles.Parse(role) : LuigiRoles.Parse(v)).OfType<string>())
        ?? LuigiRoles.Parse(DefaultRole);

    internal IEnumerable<string> Errors(string section)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            yield return $"{section}:Authority is '{Authority}'; it must be the provider's absolute http(s) URL.";
        }
        else if (RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
        {
            yield return $"{section}:Authority is '{Authority}'; it must use https (or set {section}:RequireHttpsMetadata to false for a local test provider).";
        }

        if (string.IsNullOrWhiteSpace(ClientId) && string.IsNullOrWhiteSpace(Audience))
        {
            yield return $"{section}:Authority is set but neither {section}:ClientId (dashboard sign-in) nor {section}:Audience (API bearer tokens) is.";
        }

        if (!string.IsNullOrWhiteSpace(ClientId) && string.IsNullOrWhiteSpace(ClientSecret))
        {
            yield return $"{section}:ClientSecret is empty; the dashboard's sign-in at the provider needs the client's secret.";
        }

        foreach (var (value, role) in RoleMap)
        {
            if (LuigiRoles.Parse(role) is null)
            {
                yield return $"{section}:RoleMap:{value} is '{role}'; it must be one of {string.Join(", ", LuigiRoles.All)}.";
            }
        }

        if (DefaultRole is { Length: > 0 } && LuigiRoles.Parse(DefaultRole) is null)
        {
            yield return $"{section}:DefaultRole is '{DefaultRole}'; it must be one of {string.Join(", ", LuigiRoles.All)}, or empty.";
        }
    }
}
