using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// A small but real OpenID Connect provider on Kestrel on a loopback port, for testing the host's OpenID Connect
/// sign-in and bearer tokens with the stock ASP.NET Core handlers. A real identity provider (Keycloak and the like)
/// is impractical in the tests: they run without internet access and without a container engine.
/// </summary>
/// <remarks>
/// <para>
/// It serves discovery (<c>/.well-known/openid-configuration</c>), its signing key (<c>/jwks</c>, one RSA key of
/// 2048 bits made at start), the authorization code flow with PKCE (<c>/authorize</c> and <c>/token</c>, with the
/// <c>query</c> and <c>form_post</c> response modes and the client authentication methods
/// <c>client_secret_post</c> and <c>client_secret_basic</c>) and RP-initiated logout (<c>/endsession</c>). ID and
/// access tokens are JWTs signed with RS256 that carry <c>name</c>, <c>email</c> and a <c>roles</c> array;
/// <see cref="IssueAccessToken"/> makes bearer tokens directly, also forged or wrongly issued ones.
/// </para>
/// <para>
/// What a real provider does and this one does not: there is no login page and no consent (<c>/authorize</c>
/// signs in <see cref="NextSignIn"/> at once, as if that user had just entered a password), no session of its own
/// (every authorization request signs in again, <c>prompt</c> and <c>max_age</c> are ignored), no refresh tokens,
/// no user info endpoint, no pushed authorization requests, no dynamic registration and no key rotation.
/// Users and clients live in memory and are added by the test.
/// </para>
/// </remarks>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    /// <summary>How long an ID token, and an access token from the token endpoint, is valid.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long an authorization code may be redeemed.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(1);

    private const string KeyId = "test-idp-key-1";

    private readonly RsaSecurityKey _signingKey;
    private readonly RsaSecurityKey _foreignKey;
    private readonly JsonWebTokenHandler _tokenHandler = new();
    private readonly Lock _usersLock = new();
    private readonly Dictionary<string, User> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private string? _nextSignIn;
    private int _authorizeRequests;
    private int _tokenRequests;
    private int _keyRequests;

    private TestIdentityProvider()
    {
        _signingKey = NewKey(KeyId);
        // The forger copies the key id, so the tokens it signs name the published key and fail only on the signature.
        _foreignKey = NewKey(KeyId);
    }

    /// <summary>The issuer, and the base of every endpoint, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Authority { get; private set; } = "";

    /// <summary>
    /// The subject of the user whom the next authorization request signs in, as if that user had logged in at a
    /// login page; by default the first user added.
    /// </summary>
    public string? NextSignIn
    {
        get
        {
            lock (_usersLock)
            {
                return _nextSignIn;
            }
        }
        set
        {
            lock (_usersLock)
            {
                if (value is not null && !_users.ContainsKey(value))
                {
                    throw new ArgumentException($"No user with the subject '{value}' was added.", nameof(value));
                }

                _nextSignIn = value;
            }
        }
    }

    /// <summary>Authorization requests received, valid or not.</summary>
    public int AuthorizeRequests => Volatile.Read(ref _authorizeRequests);

    /// <summary>Token requests received, valid or not.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>Requests for the signing keys: the handlers fetch them once and cache them.</summary>
    public int KeyRequests => Volatile.Read(ref _keyRequests);

    /// <summary>Starts a provider on a free loopback port, with no users and no clients.</summary>
    public static async Task<TestIdentityProvider> StartAsync()
    {
        var provider = new TestIdentityProvider();
        var app = LoopbackApp.CreateBuilder().Build();
        provider.MapEndpoints(app);
        provider._app = app;
        provider.Authority = await LoopbackApp.StartAsync(app);
        return provider;
    }

    /// <summary>Adds a user, or replaces the one with the same subject. The first user added is <see cref="NextSignIn"/>.</summary>
    public void AddUser(string subject, string name, string email, params string[] roles)
    {
        lock (_usersLock)
        {
            _users[subject] = new User(subject, name, email, [.. roles]);
            _nextSignIn ??= subject;
        }
    }

    /// <summary>Registers a confidential client with its one redirect URI (compared exactly, as the spec asks).</summary>
    public void RegisterClient(string clientId, string clientSecret, string redirectUri) =>
        _clients[clientId] = new Client(clientId, clientSecret, redirectUri);

    /// <summary>
    /// A signed JWT access token for <paramref name="subject"/> (a user added before) with <c>iss</c>, <c>aud</c>,
    /// <c>sub</c>, <c>name</c>, a <c>roles</c> array, <c>iat</c>, <c>nbf</c> and <c>exp</c>, as a bearer token for an
    /// API. A negative <paramref name="lifetime"/> gives a token that expired that long ago.
    /// </summary>
    /// <param name="subject">The user's subject.</param>
    /// <param name="audience">The API the token is for.</param>
    /// <param name="lifetime">How long it is valid from now; <see cref="TokenLifetime"/> by default.</param>
    /// <param name="issuer">Another issuer than <see cref="Authority"/>, to test that it is refused.</param>
    /// <param name="signWithForeignKey">Signs with a key that is not published (under the published key's id), as a forger would.</param>
    public string IssueAccessToken(string subject, string audience, TimeSpan? lifetime = null, string? issuer = null,
        bool signWithForeignKey = false)
    {
        var user = FindUser(subject) ?? throw new ArgumentException($"No user with the subject '{subject}' was added.", nameof(subject));
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TokenLifetime);
        var issuedAt = expires > now ? now : expires - TokenLifetime;
        var claims = new Dictionary<string, object> { ["sub"] = user.Subject, ["name"] = user.Name, ["roles"] = user.Roles };
        return Sign("at+jwt", issuer ?? Authority, audience, issuedAt, expires, claims, signWithForeignKey ? _foreignKey : _signingKey);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _signingKey.Rsa.Dispose();
        _foreignKey.Rsa.Dispose();
    }

    private void MapEndpoints(WebApplication app)
    {
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(Discovery()));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref _keyRequests);
            return Results.Json(KeySet());
        });
        app.MapMethods("/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);
        app.MapPost("/token", TokenAsync);
        app.MapMethods("/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionAsync);
    }

    private Dictionary<string, object> Discovery() => new()
    {
        ["issuer"] = Authority,
        ["authorization_endpoint"] = $"{Authority}/authorize",
        ["token_endpoint"] = $"{Authority}/token",
        ["jwks_uri"] = $"{Authority}/jwks",
        ["end_session_endpoint"] = $"{Authority}/endsession",
        ["response_types_supported"] = new[] { "code" },
        ["response_modes_supported"] = new[] { "query", "form_post" },
        ["grant_types_supported"] = new[] { "authorization_code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        ["scopes_supported"] = new[] { "openid", "profile", "email", "roles" },
        ["claims_supported"] = new[] { "iss", "aud", "sub", "exp", "iat", "auth_time", "nonce", "name", "email", "roles" },
    };

    /// <summary>The public half of the signing key as a JWK set; the private parameters never leave.</summary>
    private Dictionary<string, object> KeySet()
    {
        var parameters = _signingKey.Rsa.ExportParameters(includePrivateParameters: false);
        var key = new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = SecurityAlgorithms.RsaSha256,
            ["kid"] = KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
        return new Dictionary<string, object> { ["keys"] = new[] { key } };
    }

    /// <summary>
    /// The authorization endpoint (OpenID Connect Core 3.1.2). An unknown client or a redirect URI other than the
    /// registered one is answered here (400), never redirected to; other errors go back to the client.
    /// </summary>
    private async Task<IResult> AuthorizeAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _authorizeRequests);
        var parameters = await ParametersAsync(request);
        string? Parameter(string name) => parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

        var clientId = Parameter("client_id");
        if (clientId is null || !_clients.TryGetValue(clientId, out var client))
        {
            return Results.Text($"Unknown client_id '{clientId}'.", statusCode: StatusCodes.Status400BadRequest);
        }

        var redirectUri = Parameter("redirect_uri");
        if (redirectUri != client.RedirectUri)
        {
            return Results.Text($"The redirect_uri '{redirectUri}' is not the one registered for '{clientId}'.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        var responseMode = Parameter("response_mode") ?? "query";
        if (responseMode is not ("query" or "form_post"))
        {
            return Results.Text($"Unsupported response_mode '{responseMode}'.", statusCode: StatusCodes.Status400BadRequest);
        }

        var state = Parameter("state");
        var scope = Parameter("scope") ?? "";
        IResult Error(string error, string description) =>
            Respond(redirectUri, responseMode, [("error", error), ("error_description", description), ("state", state)]);

        if (Parameter("response_type") != "code")
        {
            return Error("unsupported_response_type", "Only response_type=code is supported.");
        }

        if (!scope.Split(' ').Contains("openid"))
        {
            return Error("invalid_scope", "The scope must contain openid.");
        }

        var challenge = Parameter("code_challenge");
        if (challenge is null || Parameter("code_challenge_method") != "S256")
        {
            return Error("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256.");
        }

        var subject = NextSignIn;
        if (subject is null)
        {
            return Error("access_denied", "No user was added to sign in.");
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new AuthorizationCode(clientId, redirectUri, subject, scope, Parameter("nonce"), challenge,
            DateTimeOffset.UtcNow, DateTime.UtcNow + CodeLifetime);
        return Respond(redirectUri, responseMode, [("code", code), ("state", state)]);
    }

    /// <summary>Sends an authorization response to the client, in the query of a redirect or as an auto-submitted form.</summary>
    private static IResult Respond(string redirectUri, string responseMode, (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).ToArray();
        if (responseMode == "query")
        {
            var query = string.Join('&', present.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
            return Results.Redirect($"{redirectUri}{(redirectUri.Contains('?') ? '&' : '?')}{query}");
        }

        var html = HtmlEncoder.Default;
        var inputs = string.Concat(present.Select(p =>
            $"""<input type="hidden" name="{html.Encode(p.Name)}" value="{html.Encode(p.Value!)}"/>"""));
        return Results.Content(
            $"""
            <!DOCTYPE html>
            <html><head><title>Signing in</title></head>
            <body onload="document.forms[0].submit()">
            <form method="post" action="{html.Encode(redirectUri)}">{inputs}
            <noscript><button type="submit">Continue</button></noscript></form>
            </body></html>
            """,
            "text/html; charset=utf-8");
    }

    /// <summary>
    /// The token endpoint (OpenID Connect Core 3.1.3, RFC 6749 4.1.3, RFC 7636 4.6): redeems a code once for an ID
    /// token and an access token, after authenticating the client and checking the PKCE verifier.
    /// </summary>
    private async Task<IResult> TokenAsync(HttpRequest request, HttpResponse response)
    {
        Interlocked.Increment(ref _tokenRequests);
        response.Headers.CacheControl = "no-store";
        if (!request.HasFormContentType)
        {
            return TokenError("invalid_request", "The request must be a form.");
        }

        var form = await request.ReadFormAsync();
        // A parameter sent twice counts as missing (RFC 6749 3.2).
        string? Parameter(string name) =>
            form.TryGetValue(name, out var value) && value.Count == 1 && value[0]!.Length > 0 ? value[0] : null;

        var (clientId, secret, basic) = ClientCredentials(request, Parameter("client_id"), Parameter("client_secret"));
        if (clientId is null || secret is null || !_clients.TryGetValue(clientId, out var client)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(client.Secret)))
        {
            if (basic)
            {
                response.Headers.WWWAuthenticate = "Basic realm=\"test-idp\"";
            }

            return TokenError("invalid_client", "Client authentication failed.", StatusCodes.Status401Unauthorized);
        }

        if (Parameter("grant_type") != "authorization_code")
        {
            return TokenError("unsupported_grant_type", "Only grant_type=authorization_code is supported.");
        }

        // Removed before any check, so a code is spent by its first use, right or wrong.
        if (Parameter("code") is not { } code || !_codes.TryRemove(code, out var grant))
        {
            return TokenError("invalid_grant", "The code is unknown or was used already.");
        }

        if (grant.Expires < DateTime.UtcNow || grant.ClientId != clientId || grant.RedirectUri != Parameter("redirect_uri"))
        {
            return TokenError("invalid_grant", "The code expired, or was issued to another client or redirect_uri.");
        }

        if (Parameter("code_verifier") is not { } verifier || !PkceMatches(verifier, grant.CodeChallenge))
        {
            return TokenError("invalid_grant", "The code_verifier does not match the code_challenge.");
        }

        var user = FindUser(grant.Subject);
        if (user is null)
        {
            return TokenError("invalid_grant", "The user is gone.");
        }

        var accessToken = Sign("at+jwt", clientId, new Dictionary<string, object>
        {
            ["sub"] = user.Subject,
            ["name"] = user.Name,
            ["roles"] = user.Roles,
            ["client_id"] = clientId,
            ["scope"] = grant.Scope,
        });
        var idClaims = new Dictionary<string, object>
        {
            ["sub"] = user.Subject,
            ["name"] = user.Name,
            ["email"] = user.Email,
            ["roles"] = user.Roles,
            ["auth_time"] = grant.AuthTime.ToUnixTimeSeconds(),
            ["at_hash"] = HalfHash(accessToken),
        };
        if (grant.Nonce is not null)
        {
            idClaims["nonce"] = grant.Nonce;
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["id_token"] = Sign("JWT", clientId, idClaims),
            ["scope"] = grant.Scope,
        });
    }

    /// <summary>
    /// The client's credentials from HTTP Basic (client_secret_basic, form-encoded id and secret) or the form
    /// (client_secret_post). A request that uses both gets neither: a client must use one method.
    /// </summary>
    private static (string? ClientId, string? Secret, bool Basic) ClientCredentials(HttpRequest request, string? formId, string? formSecret)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return (formId, formSecret, false);
        }

        if (formSecret is not null)
        {
            return (null, null, true);
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':');
            if (colon < 0)
            {
                return (null, null, true);
            }

            var id = WebUtility.UrlDecode(pair[..colon]);
            return (formId is null || formId == id ? id : null, WebUtility.UrlDecode(pair[(colon + 1)..]), true);
        }
        catch (FormatException)
        {
            return (null, null, true);
        }
    }

    /// <summary>The parameters of a request sent as a query (GET) or a form (POST), as the spec allows for both.</summary>
    private static async Task<Dictionary<string, string>> ParametersAsync(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.HasFormContentType
            ? (await request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString())
            : request.Query.ToDictionary(p => p.Key, p => p.Value.ToString());

    private static IResult TokenError(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

    /// <summary>The S256 check of RFC 7636: BASE64URL(SHA256(ASCII(code_verifier))) equals the code_challenge.</summary>
    private static bool PkceMatches(string verifier, string challenge) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))),
            Encoding.ASCII.GetBytes(challenge));

    /// <summary>The <c>at_hash</c> of an access token for RS256: the left half of its SHA-256, base64url-encoded.</summary>
    private static string HalfHash(string token)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(token));
        return Base64UrlEncoder.Encode(hash[..(hash.Length / 2)]);
    }

    /// <summary>RP-initiated logout: back to <c>post_logout_redirect_uri</c> with the <c>state</c>, if one is given.</summary>
    private static async Task<IResult> EndSessionAsync(HttpRequest request)
    {
        var parameters = await ParametersAsync(request);
        if (!parameters.TryGetValue("post_logout_redirect_uri", out var target) || target.Length == 0)
        {
            return Results.Text("Signed out.");
        }

        return parameters.TryGetValue("state", out var state) && state.Length > 0
            ? Results.Redirect($"{target}{(target.Contains('?') ? '&' : '?')}state={Uri.EscapeDataString(state)}")
            : Results.Redirect(target);
    }

    /// <summary>A token from the token endpoint: issued now by <see cref="Authority"/> for <see cref="TokenLifetime"/>.</summary>
    private string Sign(string type, string audience, Dictionary<string, object> claims)
    {
        var now = DateTime.UtcNow;
        return Sign(type, Authority, audience, now, now + TokenLifetime, claims, _signingKey);
    }

    /// <summary>A JWT signed with RS256; its header names the key's id (<c>kid</c>) and <paramref name="type"/> (<c>typ</c>).</summary>
    private string Sign(string type, string issuer, string audience, DateTime issuedAt, DateTime expires,
        Dictionary<string, object> claims, RsaSecurityKey key) =>
        _tokenHandler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = type,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    private User? FindUser(string subject)
    {
        lock (_usersLock)
        {
            return _users.GetValueOrDefault(subject);
        }
    }

    private static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    private sealed record User(string Subject, string Name, string Email, string[] Roles);

    private sealed record Client(string Id, string Secret, string RedirectUri);

    private sealed record AuthorizationCode(string ClientId, string RedirectUri, string Subject, string Scope, string? Nonce,
        string CodeChallenge, DateTimeOffset AuthTime, DateTime Expires);
}
