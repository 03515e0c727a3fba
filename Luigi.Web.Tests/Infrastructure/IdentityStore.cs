using System.Collections.Concurrent;
using Luigi.Engine.Storage;
using StoreOptions = Luigi.Engine.Storage.StoreOptions;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>
/// Identity as the host registers it (users, roles, API tokens, the password rules, user administration), on a SQLite
/// database, without the rest of the host.
/// </summary>
public static class IdentityStore
{
    /// <summary>Registers Identity, the API token service and user administration on the SQLite database at <paramref name="connectionString"/>.</summary>
    public static IServiceCollection AddTestIdentity(this IServiceCollection services, string connectionString)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthStore(new StoreOptions { Provider = StoreProvider.Sqlite, ConnectionString = connectionString });
        services.AddIdentityCore<LuigiUser>(o => PasswordRules.Apply(o.Password))
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AuthDbContext>()
            .AddDefaultTokenProviders();
        services.TryAddSingleton<ApiTokenRevocations>();
        services.TryAddScoped<ApiTokenService>();
        services.TryAddScoped<UserAdministration>();
        services.TryAddScoped<PersonalTokens>();
        return services;
    }

    /// <summary>Applies the auth migrations and makes the roles.</summary>
    public static async Task MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuthDbContext>().Database.MigrateAsync();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in LuigiRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }

    /// <summary>Makes <paramref name="userName"/> with <paramref name="role"/> and <see cref="TestUsers.Password"/>.</summary>
    public static async Task<LuigiUser> AddUserAsync(IServiceProvider services, string userName, string role)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
        var user = new LuigiUser { UserName = userName, CreatedAt = DateTime.UtcNow };
        var created = await users.CreateAsync(user, TestUsers.Password);
        Assert.True(created.Succeeded, LuigiUsers.Describe(created));
        await LuigiUsers.SetRoleAsync(users, user, role);
        return user;
    }
}

/// <summary>Keeps every log message written, to check what was (and was not) logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Messages.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
