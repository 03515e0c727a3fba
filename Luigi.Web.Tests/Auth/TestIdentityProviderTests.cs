using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The test identity provider against the stock ASP.NET Core handlers, each in a throwaway app on Kestrel: bearer
/// tokens it issues are accepted by <c>AddJwtBearer</c> and forged or misissued ones refused, and the interactive
/// sign-in of <c>AddOpenIdConnect</c> (code flow with PKCE) completes in both response modes. Then the protocol
/// rules the handlers never break: unknown clients and redirect URIs, PKCE, single-use codes, client authentication.
/// </summary>
public sealed partial class TestIdentityProviderTests : IAsyncLifetime
{
    private const string Api = "luigi-api";
    private const string ClientId = "luigi-dashboard";
    private const string ClientSecret = "dashboard-secret";
    private const string RedirectUri = "http://127.0.0.1:1/signin-oidc";

    private TestIdentityProvider? _idp;
    private readonly List<WebApplication> _apps = [];

    private TestIdentityProvider Idp => _idp ?? throw new InvalidOperationException("The provider is not started.");

    public async Task InitializeAsync()
    {
        _idp = await TestIdentityProvider.StartAsync();
        Idp.AddUser("ada", "Ada Lovelace", "ada@example.com", "admin", "operator");
        Idp.AddUser("bob", "Bob Viewer", "bob@example.com", "viewer");
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        if (_idp is not null)
        {
            await _idp.DisposeAsync();
        }
    }

    [Fact]
    public async Task Discovery_NamesTheEndpoints_AndJwks_PublishesOnlyThePublicKey()
    {
        using var http = new HttpClient();
        using var discovery = JsonDocument.Parse(await http.GetStringAsync($"{Idp.Authority}/.well-known/openid-configuration"));
        var root = discovery.RootElement;
        Assert.Equal(Idp.Authority, root.GetProperty("issuer").GetString());
        Assert.Equal($"{Idp.Authority}/authorize", root.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{Idp.Authority}/token", root.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{Idp.Authority}/endsession", root.GetProperty("end_session_endpoint").GetString());
        Assert.Equal(["S256"], root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));

        var keys = new JsonWebKeySet(await http.GetStringAsync(root.GetProperty("jwks_uri").GetString()));
        var key = Assert.Single(keys.Keys);
        Assert.Equal("RSA", key.Kty);
        Assert.False(string.IsNullOrEmpty(key.Kid));
        Assert.Equal(2048, Base64UrlEncoder.DecodeBytes(key.N).Length * 8);
        Assert.Null(key.D);
        Assert.Null(key.P);
    }

    [Fact]
    public async Task Bearer_TokenFromTheProvider_IsAccepted_WithNameAndRoles()
    {
        var api = await StartApiAsync();
        using var http = new HttpClient();

        var me = await GetMeAsync(http, $"{api}/me", Idp.IssueAccessToken("ada", Api));

        Assert.Equal("Ada Lovelace", me.Name);
        Assert.Equal(["admin", "operator"], me.Roles);
        Assert.True(me.IsAdmin);
        Assert.Equal(1, Idp.KeyRequests);
    }

    [Fact]
    public async Task Bearer_ForgedExpiredMisissuedOrMisaddressedToken_IsRefused()
    {
        var api = await StartApiAsync();
        using var http = new HttpClient();

        string[] refused =
        [
            Idp.IssueAccessToken("ada", Api, signWithForeignKey: true),
            Idp.IssueAccessToken("ada", Api, issuer: "http://127.0.0.1:1"),
            Idp.IssueAccessToken("ada", Api, lifetime: TimeSpan.FromMinutes(-10)),
            Idp.IssueAccessToken("ada", "another-api"),
        ];
        foreach (var token in refused)
        {
            using var response = await SendAsync(http, $"{api}/me", token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var anonymous = await http.GetAsync($"{api}/me");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var valid = await SendAsync(http, $"{api}/me", Idp.IssueAccessToken("bob", Api));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(OpenIdConnectResponseMode.Query)]
    public async Task SignIn_ThroughTheStockHandler_SignsInTheChosenUser(string? responseMode)
    {
        var site = await StartSiteAsync(responseMode);
        Idp.NextSignIn = "bob";
        using var browser = new Browser();

        using var challenge = await browser.GetAsync($"{site}/me");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith($"{Idp.Authority}/authorize?", authorize.AbsoluteUri);
        var query = QueryOf(authorize);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        // The handler asks for form_post unless told otherwise; query is the default, so it names that by omission.
        Assert.Equal(responseMode ?? OpenIdConnectResponseMode.FormPost,
            query.GetValueOrDefault("response_mode", OpenIdConnectResponseMode.Query));

        using var answer = await browser.GetAsync(authorize.AbsoluteUri);
        using var callback = responseMode == OpenIdConnectResponseMode.Query
            ? await browser.GetAsync(Assert.IsType<Uri>(answer.Headers.Location).AbsoluteUri)
            : await browser.SubmitAsync(await answer.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/me", callback.Headers.Location!.OriginalString);
        using var signedIn = await browser.GetAsync($"{site}/me");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var me = (await signedIn.Content.ReadFromJsonAsync<Me>())!;
        Assert.Equal("Bob Viewer", me.Name);
        Assert.Equal(["viewer"], me.Roles);
        Assert.False(me.IsAdmin);
        Assert.Equal(1, Idp.TokenRequests);
    }

    [Fact]
    public async Task FormPost_IsAnAutoSubmittingFormToTheRedirectUri_WithTheCodeAndState()
    {
        Idp.RegisterClient(ClientId, ClientSecret, RedirectUri);
        using var browser = new Browser();

        using var response = await browser.GetAsync(AuthorizeUrl(Challenge("verifier-0123456789-0123456789-0123456789"),
            ("response_mode", "form_post"), ("state", "s<&>\"1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("document.forms[0].submit()", html);
        var (action, fields) = Browser.ParseForm(html);
        Assert.Equal(RedirectUri, action);
        Assert.Equal("s<&>\"1", fields["state"]);
        Assert.False(string.IsNullOrEmpty(fields["code"]));
    }

    [Fact]
    public async Task Authorize_AnUnknownClientOrRedirectUri_IsRefusedThere_NotRedirected()
    {
        Idp.RegisterClient(ClientId, ClientSecret, RedirectUri);
        using var browser = new Browser();
        var challenge = Challenge("verifier-0123456789-0123456789-0123456789");

        using var unknownClient = await browser.GetAsync(AuthorizeUrl(challenge, ("client_id", "someone-else")));
        using var foreignRedirect = await browser.GetAsync(AuthorizeUrl(challenge, ("redirect_uri", "http://evil.example/cb")));

        foreach (var response in new[] { unknownClient, foreignRedirect })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.NotEmpty(await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Authorize_WithoutPkce_ReturnsAnErrorToTheClient()
    {
        Idp.RegisterClient(ClientId, ClientSecret, RedirectUri);
        using var browser = new Browser();

        using var response = await browser.GetAsync(AuthorizeUrl(Challenge("v"), ("code_challenge", ""), ("state", "xyz")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var query = QueryOf(response.Headers.Location!);
        Assert.Equal("invalid_request", query["error"]);
        Assert.Equal("xyz", query["state"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task Token_ChecksTheVerifier_AuthenticatesTheClient_AndSpendsACodeOnce()
    {
        Idp.RegisterClient(ClientId, ClientSecret, RedirectUri);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        const string verifier = "verifier-0123456789-0123456789-0123456789";

        async Task<string> CodeAsync()
        {
            using var response = await http.GetAsync(AuthorizeUrl(Challenge(verifier), ("nonce", "n-1")));
            return QueryOf(response.Headers.Location!)["code"];
        }

        async Task<HttpResponseMessage> RedeemAsync(string code, string codeVerifier, string secret, bool basic)
        {
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = codeVerifier,
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Idp.Authority}/token");
            if (basic)
            {
                var credentials = $"{Uri.EscapeDataString(ClientId)}:{Uri.EscapeDataString(secret)}";
                request.Headers.Authorization =
                    new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            }
            else
            {
                form["client_id"] = ClientId;
                form["client_secret"] = secret;
            }

            request.Content = new FormUrlEncodedContent(form);
            return await http.SendAsync(request);
        }

        using var wrongVerifier = await RedeemAsync(await CodeAsync(), verifier + "x", ClientSecret, basic: false);
        Assert.Equal("invalid_grant", await ErrorOf(wrongVerifier, HttpStatusCode.BadRequest));

        using var wrongSecret = await RedeemAsync(await CodeAsync(), verifier, "guess", basic: true);
        Assert.Equal("invalid_client", await ErrorOf(wrongSecret, HttpStatusCode.Unauthorized));
        Assert.StartsWith("Basic", wrongSecret.Headers.WwwAuthenticate.ToString());

        var code = await CodeAsync();
        using var redeemed = await RedeemAsync(code, verifier, ClientSecret, basic: true);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Assert.Equal("no-store", redeemed.Headers.CacheControl?.ToString());
        using var tokens = JsonDocument.Parse(await redeemed.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", tokens.RootElement.GetProperty("token_type").GetString());
        var idToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.RootElement.GetProperty("id_token").GetString());
        Assert.Equal(Idp.Authority, idToken.Issuer);
        Assert.Equal([ClientId], idToken.Audiences);
        Assert.Equal("ada", idToken.Subject);
        Assert.Equal("n-1", idToken.GetClaim("nonce").Value);
        Assert.Equal(["admin", "operator"], idToken.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.False(string.IsNullOrEmpty(idToken.Kid));
        Assert.Equal(TestIdentityProvider.TokenLifetime, idToken.ValidTo - idToken.IssuedAt);

        using var again = await RedeemAsync(code, verifier, ClientSecret, basic: false);
        Assert.Equal("invalid_grant", await ErrorOf(again, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task EndSession_RedirectsToThePostLogoutUri_WithTheState()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var signedOut = Uri.EscapeDataString("http://127.0.0.1:1/signed-out");
        using var back = await http.GetAsync($"{Idp.Authority}/endsession?post_logout_redirect_uri={signedOut}&state=abc");
        using var stay = await http.GetAsync($"{Idp.Authority}/endsession");

        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("http://127.0.0.1:1/signed-out?state=abc", back.Headers.Location!.AbsoluteUri);
        Assert.Equal(HttpStatusCode.OK, stay.StatusCode);
    }

    /// <summary>An API with the stock bearer handler pointed at the provider; <c>/me</c> tells who called.</summary>
    private async Task<string> StartApiAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.Authority = Idp.Authority;
            o.Audience = Api;
            o.RequireHttpsMetadata = false;
            o.MapInboundClaims = false;
            o.TokenValidationParameters.NameClaimType = "name";
            o.TokenValidationParameters.RoleClaimType = "roles";
        });
        return await StartAsync(builder);
    }

    /// <summary>
    /// A site with cookie sign-in and the stock OpenID Connect handler pointed at the provider, registered there as a
    /// client; <c>/me</c> tells who is signed in. <paramref name="responseMode"/> null keeps the handler's default.
    /// </summary>
    private async Task<string> StartSiteAsync(string? responseMode)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(o =>
            {
                o.Authority = Idp.Authority;
                o.RequireHttpsMetadata = false;
                o.ClientId = ClientId;
                o.ClientSecret = ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.ResponseMode = responseMode ?? o.ResponseMode;
                o.SaveTokens = false;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = "roles";
                // Over plain http the correlation and nonce cookies must not be Secure, or they never come back.
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });
        var url = await StartAsync(builder);
        Idp.RegisterClient(ClientId, ClientSecret, $"{url}/signin-oidc");
        return url;
    }

    private async Task<string> StartAsync(WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", (ClaimsPrincipal user) =>
        {
            var identity = (ClaimsIdentity)user.Identity!;
            return new Me(identity.Name, [.. identity.FindAll(identity.RoleClaimType).Select(c => c.Value)], user.IsInRole("admin"));
        }).RequireAuthorization();
        _apps.Add(app);
        return await LoopbackApp.StartAsync(app);
    }

    private static async Task<Me> GetMeAsync(HttpClient http, string url, string token)
    {
        using var response = await SendAsync(http, url, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Me>())!;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    /// <summary>
    /// An authorization request of the registered client for <paramref name="challenge"/>, with parameters replaced or added.
    /// </summary>
    private string AuthorizeUrl(string challenge, params (string Name, string Value)[] overrides)
    {
        var parameters = new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid profile",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (name, value) in overrides)
        {
            parameters[name] = value;
        }

        return $"{Idp.Authority}/authorize?" + string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    private static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static Dictionary<string, string> QueryOf(Uri uri) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    private static async Task<string?> ErrorOf(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetString();
    }

    private sealed record Me(string? Name, string[] Roles, bool IsAdmin);

    /// <summary>
    /// What a browser does in the sign-in round trip, by hand: keeps cookies, shows each redirect instead of following
    /// it, and submits an auto-submitting form as its script would.
    /// </summary>
    private sealed partial class Browser : IDisposable
    {
        private readonly HttpClient _http =
            new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

        public Task<HttpResponseMessage> GetAsync(string url) => _http.GetAsync(url);

        /// <summary>Posts the one form of <paramref name="html"/>, with its hidden fields, to its action.</summary>
        public Task<HttpResponseMessage> SubmitAsync(string html)
        {
            var (action, fields) = ParseForm(html);
            return _http.PostAsync(action, new FormUrlEncodedContent(fields));
        }

        /// <summary>The action and hidden fields of the provider's form_post page.</summary>
        public static (string Action, Dictionary<string, string> Fields) ParseForm(string html)
        {
            var form = FormPattern().Match(html);
            Assert.True(form.Success, $"No POST form in: {html}");
            var fields = InputPattern().Matches(html).ToDictionary(
                m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
            return (WebUtility.HtmlDecode(form.Groups["action"].Value), fields);
        }

        public void Dispose() => _http.Dispose();

        [GeneratedRegex("""<form method="post" action="(?<action>[^"]*)">""")]
        private static partial Regex FormPattern();

        [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)"/>""")]
        private static partial Regex InputPattern();
    }
}
