using System.Collections.Concurrent;
using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Pipelines;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Dashboard.Bench;

/// <summary>The real host on a loopback port (Kestrel) on PostgreSQL, with the bench pipelines and a clock on every commit.</summary>
internal sealed class BenchHost : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly int _workers;

    public BenchHost(string connectionString, int workers)
    {
        _connectionString = connectionString;
        _workers = workers;
        UseKestrel(0);
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
    }

    public string BaseUrl { get; }

    /// <summary>The first administrator's API token, for the API's measurements.</summary>
    public string AdminToken { get; } = ApiTokenFormat.New();

    /// <summary>When each (task id, state) of each run was committed, by the host's clock, in Unix milliseconds.</summary>
    public CommitClock Commits { get; } = new();

    public StoreExecutor Executor => Services.GetRequiredService<StoreExecutor>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Luigi:Store:Provider", nameof(StoreProvider.Postgres));
        builder.UseSetting("ConnectionStrings:Luigi", _connectionString);
        builder.UseSetting("Luigi:Engine:Workers", _workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The pages measured here only look: anonymous viewers spare the browser a sign-in, and the API's measurements
        // compare a token's cost with none.
        builder.UseSetting("Luigi:Auth:AllowAnonymousViewers", "true");
        builder.UseSetting("Luigi:Auth:BootstrapAdmin:ApiToken", AdminToken);
        // The sign-in measurement posts hundreds of wrong passwords from one address: every one must be checked.
        builder.UseSetting("Luigi:Auth:SignInAttemptsPerMinute", "1000000");
        builder.UseSetting("Luigi:Auth:MaxFailedSignIns", "1000000");
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IRunObserver>(Commits);
            services.AddLuigiPipelines(typeof(BenchHost).Assembly);
        });
    }
}

/// <summary>Records the commit time of every task change.</summary>
internal sealed class CommitClock : IRunObserver
{
    private readonly ConcurrentDictionary<(Guid Run, string TaskId, TaskState State), double> _at = new();

    public void OnTaskChanged(TaskChange change) =>
        _at.TryAdd((change.RunId, change.TaskId, change.State), new DateTimeOffset(change.At, TimeSpan.Zero).ToUnixTimeMilliseconds() + change.At.Ticks % TimeSpan.TicksPerMillisecond / 10_000.0);

    public void OnRunFinished(Guid runId, RunState state)
    {
    }

    public IReadOnlyDictionary<(string TaskId, TaskState State), double> Of(Guid runId) =>
        _at.Where(e => e.Key.Run == runId).ToDictionary(e => (e.Key.TaskId, e.Key.State), e => e.Value);
}
