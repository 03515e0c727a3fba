using System.Net.Http.Json;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Luigi.Web.Tests.Security;

/// <summary>
/// The store's password, the SMTP password and the first administrator's API token never reach the host's logs, at any level, from its start through a
/// failed run and the failure e-mail it sends (which logs in to the SMTP server with that password).
/// </summary>
public sealed class SecretLoggingTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Passwords_AreNeverLogged_AtStart_NorWhileRunningAndSendingEmail()
    {
        // The test server trusts loopback, so a password of our own goes unused by it but is in the host's settings.
        var store = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        if (string.IsNullOrEmpty(store.Password))
        {
            store.Password = "store-pw-" + Guid.NewGuid().ToString("N");
        }

        var smtpPassword = "smtp-pw-" + Guid.NewGuid().ToString("N");
        await using var smtp = SmtpTestServer.Start(credentials: ("luigi", smtpPassword));
        var logs = new CapturingLoggerProvider();
        await using var factory = new LuigiWebFactory(StoreProvider.Postgres, store.ConnectionString);
        await using var host = factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Luigi:Email:Enabled", "true");
            builder.UseSetting("Luigi:Email:Host", "127.0.0.1");
            builder.UseSetting("Luigi:Email:Port", smtp.Port.ToString());
            builder.UseSetting("Luigi:Email:User", "luigi");
            builder.UseSetting("Luigi:Email:Password", smtpPassword);
            builder.UseSetting("Luigi:Email:From", "luigi@example.com");
            builder.UseSetting("Luigi:Email:Recipients:0", "ops@example.com");
            builder.UseSetting("Luigi:Email:BatchWindow", "00:00:00.100");
            builder.UseSetting("Luigi:Email:PollInterval", "00:00:00.100");
            builder.ConfigureLogging(logging =>
            {
                logging.AddProvider(logs);
                logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
            });
        });

        var client = host.CreateClient();
        var response = await client.PostAsJsonAsync("/api/pipelines/ComplexExample/runs",
            new { parameters = new { delayMs = 0, failTask = "TaskE", failTimes = 9, retries = 0 } });
        response.EnsureSuccessStatusCode();
        await smtp.WaitForAsync(1, TimeSpan.FromSeconds(60));
        Assert.Equal(["luigi"], smtp.AuthenticatedUsers.Distinct());

        var lines = await Eventually.Async(() => Task.FromResult(logs.Lines), l => l.Any(line => line.Contains("sent to", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("workers on the Postgres store", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(store.Password!, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(smtpPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(factory.AdminToken, StringComparison.Ordinal));
    }
}
