using System.Net;
using System.Text.RegularExpressions;
using Luigi.Web.Tests.EndToEnd;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The real host on Kestrel (a fresh PostgreSQL database) configured for OpenID Connect against a
/// <see cref="TestIdentityProvider"/> on another loopback port, with the provider's users:
/// <list type="bullet">
/// <item><c>olga</c>, Olga Operator, with the role <c>Operator</c>;</item>
/// <item><c>vic</c>, Vic Viewer, with <c>viewer</c> (any case counts);</item>
/// <item><c>gus</c>, Gus Grouped, with only the group <c>data-platform-operators</c>, mapped to Operator;</item>
/// <item><c>nora</c>, Nora Nobody, with only <c>unrelated-group</c>: no role unless a default is set.</item>
/// </list>
/// </summary>
public sealed class OidcTestHost : IAsyncDisposable
{
    public const string Audience = "luigi-api";
    public const string ClientId = "luigi-dashboard";
    public const string ClientSecret = "dashboard-secret-for-tests";
    public const string DisplayName = "Test IdP";
    public const string MappedGroup = "data-platform-operators";

    private OidcTestHost(TestIdentityProvider idp, DashboardHost host) => (Idp, Host) = (idp, host);

    public TestIdentityProvider Idp { get; }

    public DashboardHost Host { get; }

    public string BaseUrl => Host.BaseUrl;

    /// <summary>
    /// Starts the provider, then the host pointed at it with bearer tokens on (audience <see cref="Audience"/>) and, when
    /// <paramref name="interactive"/>, the dashboard's sign-in (the host registered at the provider as <see cref="ClientId"/>).
    /// <paramref name="settings"/> add to the <c>Luigi:Auth:Oidc</c> settings (keys below that section).
    /// </summary>
    public static async Task<OidcTestHost> StartAsync(PostgresServer postgres, bool interactive = false, IReadOnlyDictionary<string, string>? settings = null)
    {
        var idp = await TestIdentityProvider.StartAsync();
        idp.AddUser("olga", "Olga Operator", "olga@example.com", "Operator");
        idp.AddUser("vic", "Vic Viewer", "vic@example.com", "viewer");
        idp.AddUser("gus", "Gus Grouped", "gus@example.com", MappedGroup);
        idp.AddUser("nora", "Nora Nobody", "nora@example.com", "unrelated-group");

        var all = new Dictionary<string, string>
        {
            ["Luigi:Auth:Oidc:Authority"] = idp.Authority,
            ["Luigi:Auth:Oidc:Audience"] = Audience,
            ["Luigi:Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Luigi:Auth:Oidc:DisplayName"] = DisplayName,
            [$"Luigi:Auth:Oidc:RoleMap:{MappedGroup}"] = "Operator",
        };
        if (interactive)
        {
            all["Luigi:Auth:Oidc:ClientId"] = ClientId;
            all["Luigi:Auth:Oidc:ClientSecret"] = ClientSecret;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[$"Luigi:Auth:Oidc:{key}"] = value;
        }

        DashboardHost host;
        try
        {
            host = await DashboardHost.StartAsync(postgres, all);
        }
        catch
        {
            await idp.DisposeAsync();
            throw;
        }

        if (interactive)
        {
            idp.RegisterClient(ClientId, ClientSecret, $"{host.BaseUrl}/signin-oidc");
        }

        return new OidcTestHost(idp, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Idp.DisposeAsync();
    }
}

/// <summary>
/// What a browser does in the sign-in round trip, by hand: keeps cookies, shows each redirect instead of following it,
/// and submits forms as a user or a page's script would.
/// </summary>
public sealed partial class OidcBrowser : IDisposable
{
    private readonly HttpClient _http;

    public OidcBrowser(string baseUrl)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
    }

    public CookieContainer Cookies { get; }

    public Task<HttpResponseMessage> GetAsync(string url) => _http.GetAsync(url);

    public Task<HttpResponseMessage> PostAsync(string url, Dictionary<string, string> fields) => _http.PostAsync(url, new FormUrlEncodedContent(fields));

    /// <summary>Follows the redirect of <paramref name="response"/> (which it disposes) with a GET.</summary>
    public async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
                $"Expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var location = response.Headers.Location!;
            return await _http.GetAsync(location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location));
        }
    }

    /// <summary>
    /// The whole sign-in from the host's sign-in page (<c>/signin?returnUrl=...</c>): posts its "Sign in with" form with the
    /// antiforgery token, goes to the provider, submits its form_post page to the host's callback, and follows the host's
    /// redirects until one leaves <c>/signin</c>; returns that last redirect's target (where the user lands).
    /// </summary>
    public async Task<string> SignInAsync(string? returnUrl = null)
    {
        using var page = await GetAsync(returnUrl is null ? "/signin" : $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var form = OidcFormPattern().Match(html);
        Assert.True(form.Success, $"No single sign-on form on the sign-in page: {html}");
        var fields = HiddenFields(form.Value);
        Assert.True(fields.ContainsKey("__RequestVerificationToken"), "The single sign-on form has no antiforgery token.");

        var challenge = await PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), fields);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        using var authorize = await FollowAsync(challenge); // at the provider: the auto-submitting form_post page
        Assert.Equal(HttpStatusCode.OK, authorize.StatusCode);
        var (action, answer) = TestIdentityProviderFormPost(await authorize.Content.ReadAsStringAsync());

        var response = await PostAsync(action, answer); // the callback: the handler checks the response
        while (true)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var location = response.Headers.Location!.OriginalString;
            if (!location.StartsWith("/signin", StringComparison.Ordinal))
            {
                response.Dispose();
                return location;
            }

            response = await FollowAsync(response);
        }
    }

    /// <summary>The action and hidden fields of the provider's form_post page.</summary>
    private static (string Action, Dictionary<string, string> Fields) TestIdentityProviderFormPost(string html)
    {
        var form = ProviderFormPattern().Match(html);
        Assert.True(form.Success, $"No POST form in: {html}");
        var fields = ProviderInputPattern().Matches(html).ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        return (WebUtility.HtmlDecode(form.Groups["action"].Value), fields);
    }

    /// <summary>The hidden inputs of a form rendered by the host (attributes in any order).</summary>
    private static Dictionary<string, string> HiddenFields(string formHtml)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputPattern().Matches(formHtml))
        {
            var attributes = AttributePattern().Matches(input.Value).ToDictionary(a => a.Groups["name"].Value, a => WebUtility.HtmlDecode(a.Groups["value"].Value));
            if (attributes.GetValueOrDefault("type") == "hidden" && attributes.TryGetValue("name", out var name))
            {
                fields[name] = attributes.GetValueOrDefault("value") ?? "";
            }
        }

        return fields;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("""<form[^>]*action="(?<action>/signin/oidc)"[^>]*>.*?</form>""", RegexOptions.Singleline)]
    private static partial Regex OidcFormPattern();

    [GeneratedRegex("""<input[^>]*>""")]
    private static partial Regex InputPattern();

    [GeneratedRegex("(?<name>[a-zA-Z_-]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex AttributePattern();

    [GeneratedRegex("""<form method="post" action="(?<action>[^"]*)">""")]
    private static partial Regex ProviderFormPattern();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)"/>""")]
    private static partial Regex ProviderInputPattern();
}
