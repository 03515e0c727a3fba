using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Security;

/// <summary>
/// The headers every response of the host carries, and what a page of another site can do with a plain form POST:
/// nothing. Against the real host on a fresh PostgreSQL database.
/// </summary>
public sealed partial class SecurityHeadersTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task EveryResponse_CarriesThePolicyAndTheHeadersOldBrowsersRead()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        foreach (var path in new[] { "/", "/runs", "/api/pipelines", "/api/runs/00000000-0000-0000-0000-000000000001", "/no/such/page", "/healthz" })
        {
            using var response = await client.GetAsync(path);

            var policy = Header(response, "Content-Security-Policy");
            foreach (var directive in new[]
                     {
                         "default-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'",
                         "worker-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
                     })
            {
                Assert.Contains(directive, policy);
            }

            Assert.Matches(ScriptSource(), policy);
            Assert.DoesNotContain("unsafe-eval", policy);
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        }
    }

    [Fact]
    public async Task ThePagesImportMap_CarriesTheNonceOfItsOwnResponse_AndNoOther()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        var (first, firstPolicy) = await PageAsync(client);
        var (second, secondPolicy) = await PageAsync(client);

        var nonce = ScriptSource().Match(firstPolicy).Groups["nonce"].Value;
        var importMap = Assert.Single(Regex.Matches(first, "<script[^>]*type=\"importmap\"[^>]*>")).Value;
        Assert.Contains($"nonce=\"{nonce}\"", importMap);
        Assert.NotEqual(nonce, ScriptSource().Match(secondPolicy).Groups["nonce"].Value);
        Assert.DoesNotContain(nonce, second);
        Assert.Single(Regex.Matches(first, "<script(?![^>]*\\bsrc=)[^>]*>"));
    }

    [Fact]
    public async Task APlainFormPost_FromAnotherSite_ToAPage_IsRefused_AndTriggersNothing()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/pipelines/ComplexExample")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["delayMs"] = "0", ["_handler"] = "trigger" }),
        };
        post.Headers.Add("Origin", "https://evil.example");

        using var response = await client.SendAsync(post);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("antiforgery", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var runs = await client.GetFromJsonAsync<RunPage>("/api/runs", new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(0, runs!.Total);
    }

    private static async Task<(string Html, string Policy)> PageAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(), Header(response, "Content-Security-Policy"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? Assert.Single(values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header.");

    private async Task<LuigiWebFactory> StartAsync() => new(StoreProvider.Postgres, await postgres.CreateDatabaseAsync());

    [GeneratedRegex("script-src 'self' 'nonce-(?<nonce>[A-Za-z0-9_-]{24})'(;|$)")]
    private static partial Regex ScriptSource();
}
