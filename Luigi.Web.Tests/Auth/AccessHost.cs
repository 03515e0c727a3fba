using System.Net.Http.Headers;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The real host (in memory, on a fresh PostgreSQL database) and clients of it as somebody in particular: nobody,
/// a user with a role and an API token, or a browser holding a user's session cookie.
/// </summary>
public sealed class AccessHost : IAsyncDisposable
{
    private readonly LuigiWebFactory _factory;

    private AccessHost(LuigiWebFactory factory, WebApplicationFactory<Program> host)
    {
        _factory = factory;
        Host = host;
    }

    public WebApplicationFactory<Program> Host { get; }

    /// <summary>The first administrator's API token.</summary>
    public string AdminToken => _factory.AdminToken;

    public IServiceProvider Services => Host.Services;

    /// <summary>
    /// Starts a host on a fresh database (or <paramref name="connectionString"/>'s), with <paramref name="settings"/>
    /// added to its own, logging to <paramref name="logging"/> too when given.
    /// </summary>
    public static async Task<AccessHost> StartAsync(
        PostgresServer postgres, IReadOnlyDictionary<string, string>? settings = null, CapturingLoggerProvider? logging = null, string? connectionString = null,
        Action<IWebHostBuilder>? configure = null)
    {
        var factory = new LuigiWebFactory(StoreProvider.Postgres, connectionString ?? await postgres.CreateDatabaseAsync());
        var host = factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            if (logging is not null)
            {
                builder.ConfigureLogging(l => l.AddProvider(logging).AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
            }

            configure?.Invoke(builder);
        });
        _ = host.Server; // start it
        return new AccessHost(factory, host);
    }

    /// <summary>A client that sends no credentials and follows no redirects.</summary>
    public HttpClient Anonymous()
    {
        var client = Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>A client sending a new API token of <paramref name="userName"/>, who has <paramref name="role"/>.</summary>
    public async Task<HttpClient> WithTokenAsync(string userName, string? role) => WithToken((await TestUsers.TokenAsync(Services, userName, role)).Text);

    /// <summary>A client sending <paramref name="token"/>.</summary>
    public HttpClient WithToken(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client holding the session cookie of <paramref name="userName"/>, who has <paramref name="role"/> (none when null).</summary>
    public async Task<HttpClient> WithSessionAsync(string userName, string? role)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("Cookie", $"{TestUsers.SessionCookieName}={await TestUsers.SessionCookieAsync(Services, userName, role)}");
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _factory.DisposeAsync();
    }
}
