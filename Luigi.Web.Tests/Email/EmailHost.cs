using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Api;
using Luigi.Web.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Email;

/// <summary>
/// The real web host on a fresh PostgreSQL database with e-mail switched on and pointed at an SMTP port on
/// loopback, short intervals for polling, sweeping and retrying, and <see cref="EmailTestPipeline"/> offered.
/// </summary>
public sealed class EmailHost : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly LuigiWebFactory _factory;

    private EmailHost(LuigiWebFactory factory, WebApplicationFactory<Program> host)
    {
        _factory = factory;
        Host = host;
        Client = host.CreateClient();
    }

    public WebApplicationFactory<Program> Host { get; }

    public HttpClient Client { get; }

    /// <summary>
    /// Starts a host on a fresh PostgreSQL database, or on <paramref name="connectionString"/>. With <paramref name="emailClock"/>,
    /// e-mail (planning, the outbox's due times and the sender's waits) reads that clock while runs keep the real one, so a test
    /// moves a digest's window on instead of waiting for it.
    /// </summary>
    public static async Task<EmailHost> StartAsync(
        PostgresServer postgres, int smtpPort, IReadOnlyDictionary<string, string>? settings = null, string? connectionString = null,
        TimeProvider? emailClock = null) =>
        Start(new LuigiWebFactory(StoreProvider.Postgres, connectionString ?? await postgres.CreateDatabaseAsync()), smtpPort, settings, emailClock);

    /// <summary>Starts a host on the SQLite file <paramref name="file"/>.</summary>
    public static EmailHost StartOnSqlite(string file, int smtpPort, IReadOnlyDictionary<string, string>? settings = null) =>
        Start(new LuigiWebFactory(StoreProvider.Sqlite, $"Data Source={file};Pooling=False"), smtpPort, settings);

    private static EmailHost Start(LuigiWebFactory factory, int smtpPort, IReadOnlyDictionary<string, string>? settings, TimeProvider? emailClock = null)
    {
        var host = factory.WithWebHostBuilder(builder =>
        {
            var all = new Dictionary<string, string>
            {
                ["Luigi:Email:Enabled"] = "true",
                ["Luigi:Email:Host"] = "127.0.0.1",
                ["Luigi:Email:Port"] = smtpPort.ToString(),
                ["Luigi:Email:From"] = "luigi@example.com",
                ["Luigi:Email:Recipients:0"] = "ops@example.com",
                ["Luigi:Email:PipelineRecipients:EmailTestPipeline:0"] = "sales-team@example.com",
                ["Luigi:Email:DashboardUrl"] = "https://luigi.example.com/",
                ["Luigi:Email:BatchWindow"] = "00:00:01",
                ["Luigi:Email:Summary"] = "Never",
                ["Luigi:Email:LogLines"] = "5",
                ["Luigi:Email:PollInterval"] = "00:00:00.100",
                ["Luigi:Email:SweepInterval"] = "00:00:00.500",
                ["Luigi:Email:RetryDelay"] = "00:00:00.200",
                ["Luigi:Email:MaxRetryDelay"] = "00:00:01",
                ["Luigi:Email:SmtpTimeout"] = "00:00:05",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                all[key] = value;
            }

            foreach (var (key, value) in all)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services =>
            {
                services.AddSingleton(_ => LuigiWebSetup.CreatePipelineRegistry().Add(typeof(EmailTestPipeline)).Add(typeof(Security.HostileTextPipeline)));
                if (emailClock is not null)
                {
                    UseEmailClock(services, emailClock);
                }
            });
        });
        return new EmailHost(factory, host);
    }

    private static void UseEmailClock(IServiceCollection services, TimeProvider clock)
    {
        services.Replace(ServiceDescriptor.Singleton(sp => ActivatorUtilities.CreateInstance<EmailOutbox>(sp, clock)));
        services.Replace(ServiceDescriptor.Singleton(sp => ActivatorUtilities.CreateInstance<EmailPlanner>(sp, clock)));
        services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(EmailSender)));
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<EmailSender>(sp, clock));
    }

    /// <summary>Triggers <paramref name="pipeline"/> (by default <see cref="EmailTestPipeline"/>) and waits for the run to end.</summary>
    public async Task<Guid> RunAsync(object parameters, RunState expected, string pipeline = nameof(EmailTestPipeline))
    {
        var response = await Client.PostAsJsonAsync($"/api/pipelines/{pipeline}/runs", new { parameters });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json))!.Id;
        Assert.Equal(expected, await Host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(id).WaitAsync(Guard));
        return id;
    }

    public async Task<EmailStatus> StatusAsync() => (await Client.GetFromJsonAsync<EmailStatus>("/api/email/status", Json))!;

    /// <summary>The outbox rows of <paramref name="runId"/>.</summary>
    public async Task<List<EmailOutboxRecord>> OutboxAsync(Guid runId)
    {
        await using var context = Host.Services.GetRequiredService<EmailStore>().CreateDbContext();
        return await context.EmailOutbox.AsNoTracking().Where(m => m.RunId == runId).ToListAsync();
    }

    /// <summary>Waits, within <see cref="Guard"/>, until every message of <paramref name="runId"/> is sent or skipped.</summary>
    public Task<List<EmailOutboxRecord>> SettledAsync(Guid runId, int atLeast = 1) =>
        Eventually.Async(() => OutboxAsync(runId), rows => rows.Count >= atLeast && rows.All(r => r.SentAt is not null || r.SkippedReason is not null));

    /// <summary>The task index of <paramref name="taskId"/> in <paramref name="runId"/>.</summary>
    public async Task<int> TaskIndexAsync(Guid runId, string taskId)
    {
        await using var context = Host.Services.GetRequiredService<LuigiStore>().CreateDbContext();
        return await context.RunTasks.Where(t => t.RunId == runId && t.TaskId == taskId).Select(t => t.TaskIndex).SingleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}
