using Bunit;
using Bunit.TestDoubles;
using Luigi.Engine;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Schedules;
using Luigi.Engine.Storage;
using Luigi.Web.Auth;
using Luigi.Web.Dashboard;
using Luigi.Web.Email;
using Luigi.Web.Live;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Execution;
using Luigi.Engine.Retention;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// A bUnit context with the dashboard's real services on a fresh SQLite store (a temporary file): the real
/// run reader and store executor (never started, so what it is asked for stays queued), the host's pipelines
/// plus the test's, and a <see cref="TestLiveFeed"/> to publish live changes through.
/// </summary>
public sealed class DashboardHarness : IAsyncDisposable
{
    private readonly string _file;
    private readonly IReadOnlyDictionary<string, string[]> _policiesByRole;

    /// <summary>The engine's settings the pages see (resources' totals, run limits).</summary>
    public LuigiEngineOptions EngineOptions { get; } = new() { Workers = 1 };

    private DashboardHarness(string file, LuigiStore store, PipelineRegistry pipelines, RunReader? reader, IReadOnlyDictionary<string, string[]> policiesByRole)
    {
        _policiesByRole = policiesByRole;
        _file = file;
        Store = store;
        Pipelines = pipelines;
        Executor = new StoreExecutor(store, pipelines, EngineOptions, new StoreExecutorOptions());
        Reader = reader ?? new RunReader(store);
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Authorization = Context.AddAuthorization();
        SignIn(OperatorName, LuigiRoles.Operator);
        Context.Services.AddSingleton(store);
        Context.Services.AddSingleton(Reader);
        Context.Services.AddSingleton(Executor);
        Context.Services.AddSingleton(Executor.Client);
        Context.Services.AddSingleton(Executor.Identity);
        Context.Services.AddSingleton(pipelines);
        Context.Services.AddSingleton(TimeProvider.System);
        Context.Services.AddSingleton<ILiveFeed>(Feed);
        Context.Services.AddSingleton(new StoreExecutorOptions());
        Context.Services.AddSingleton(EngineOptions);
        Context.Services.AddSingleton(Retention);
        Context.Services.AddSingleton<TaskOutputChecker>();
        Context.Services.AddSingleton<PipelinePreviewResolver>();
        Context.Services.AddSingleton<DryRunPlanner>();
        Context.Services.AddScoped<DashboardUser>();
        Context.Services.AddScoped<ViewerTimeZone>();
        Schedules = new ScheduleStore(store, pipelines, TimeProvider.System);
        Backfills = new Backfills(store, pipelines, Executor.Client, TimeProvider.System);
        Context.Services.AddSingleton(Schedules);
        Context.Services.AddSingleton(Backfills);
        Context.Services.AddSingleton<Luigi.Web.Hosting.ScheduleSignal>();
        Context.Services.AddSingleton(EmailSettings);
        Context.Services.AddSingleton<EmailSignal>();
        Context.Services.AddSingleton(new EmailStore(store)); // its table made by the store's migrations
        Context.Services.AddSingleton<EmailOutbox>();
        Context.Services.AddSingleton<EmailStatusService>();
        Context.Services.AddSingleton(AuthSettings);
        Context.Services.AddTestIdentity($"Data Source={file};Pooling=False"); // tables made by UseIdentityAsync
        // Pages as they are once the browser's circuit is up (interactive server rendering).
        Context.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public BunitContext Context { get; } = new();

    /// <summary>The retention the overview shows (off unless a test sets it before rendering).</summary>
    public RetentionOptions Retention { get; } = new();

    /// <summary>The user signed in by default: an Operator.</summary>
    public const string OperatorName = "olga";

    /// <summary>Who is signed in; <see cref="OperatorName"/> unless a test says otherwise (<see cref="SignIn"/>).</summary>
    public BunitAuthorizationContext Authorization { get; }

    /// <summary>
    /// Signs in <paramref name="name"/> with <paramref name="role"/> and the policies that role satisfies, and with the
    /// user id <paramref name="id"/> (pages that read the account need a user of <see cref="UseIdentityAsync"/>).
    /// </summary>
    public void SignIn(string name, string role, string? id = null)
    {
        Authorization.SetAuthorized(name);
        Authorization.SetRoles(role);
        Authorization.SetPolicies(_policiesByRole[role]); // as the product's own policies decide them (ProductPolicies)
        // Last: setting roles or policies makes a new principal without the claims set before.
        Authorization.SetClaims(id is null ? [] : [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, id)]);
    }

    public LuigiStore Store { get; }

    public RunReader Reader { get; }

    public ScheduleStore Schedules { get; }

    public Backfills Backfills { get; }

    public StoreExecutor Executor { get; }

    public PipelineRegistry Pipelines { get; }

    public TestLiveFeed Feed { get; } = new();

    /// <summary>E-mail settings of the dashboard's host: on, with one recipient, unless a test changes them before rendering.</summary>
    public EmailOptions EmailSettings { get; } = new()
    {
        Enabled = true, Host = "127.0.0.1", Port = 2525, From = "luigi@example.com", Recipients = ["oncall@example.com"],
    };

    /// <summary>The host's <c>Luigi:Auth</c> settings, as a test sets them before rendering.</summary>
    public AuthOptions AuthSettings { get; } = new();

    /// <summary>Makes the Identity tables (users, roles, API tokens) in the harness's database, with the roles.</summary>
    public Task UseIdentityAsync() => IdentityStore.MigrateAsync(Context.Services);

    /// <summary>Makes <paramref name="name"/> with <paramref name="role"/> (after <see cref="UseIdentityAsync"/>) and signs them in.</summary>
    public async Task<LuigiUser> SignInNewUserAsync(string name, string role)
    {
        var user = await IdentityStore.AddUserAsync(Context.Services, name, role);
        SignIn(name, role, user.Id);
        return user;
    }

    public BunitNavigationManager Navigation => Context.Services.GetRequiredService<BunitNavigationManager>();

    /// <summary>A harness on a fresh SQLite store; its pages read through <paramref name="reader"/> when given (e.g. one
    /// on a database that cannot be reached).</summary>
    public static async Task<DashboardHarness> CreateAsync(RunReader? reader = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"luigi-dashboard-{Guid.NewGuid():N}.db");
        var store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Sqlite, ConnectionString = $"Data Source={file};Pooling=False" });
        await store.MigrateAsync();
        var pipelines = LuigiWebSetup.CreatePipelineRegistry().Add(typeof(FormPipeline)).Add(typeof(FileOutputPipeline));
        var policies = new Dictionary<string, string[]>();
        foreach (var role in LuigiRoles.All)
        {
            policies[role] = await ProductPolicies.SatisfiedByAsync(OperatorName, role);
        }

        return new DashboardHarness(file, store, pipelines, reader, policies);
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(path);
        }
    }
}
