using Luigi.Engine.Execution;
using Luigi.Engine.Monitoring;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Schedules;
using Luigi.Engine;
using Luigi.Engine.Storage;
using System.Text.Json.Serialization;
using Luigi.Web.Api;
using Luigi.Web.Auth;
using Luigi.Web.Email;
using Luigi.Web.Dashboard;
using Luigi.Web.Hosting;
using Luigi.Web.Monitoring;
using Luigi.Web.Pipelines;
using Luigi.Web.Reliability;
using Luigi.Web.Security;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Retention;
using Luigi.Engine.Events;

namespace Luigi.Web;

/// <summary>Service registration and endpoints of the web host.</summary>
public static class LuigiWebSetup
{
    /// <summary>
    /// The pipelines this host offers: the examples shipped with it when <c>Luigi:Examples:Enabled</c> is true (always when
    /// no configuration is given: a registry for a test), those of the
    /// assemblies listed in <c>Luigi:Pipelines:Assemblies</c> (relative paths start at <paramref name="baseDirectory"/>,
    /// by default the current directory) and those registered with <c>AddLuigiPipelines</c>, with the parameter defaults
    /// of <c>Luigi:Pipelines:&lt;Pipeline&gt;:Parameters</c>. Pipelines are created with <paramref name="services"/>, and each
    /// attempt of their tasks gets a scope of them.
    /// </summary>
    /// <exception cref="PipelineAssemblyException">A listed assembly cannot be used; the message says which and why.</exception>
    /// <exception cref="PipelineActivationException">A pipeline's constructor needs a service that is not registered.</exception>
    /// <exception cref="PipelineSettingException">A configured default does not fit its pipeline.</exception>
    public static PipelineRegistry CreatePipelineRegistry(IConfiguration? configuration = null, string? baseDirectory = null, IServiceProvider? services = null)
    {
        var registry = new PipelineRegistry(services);
        if (configuration is null || ExamplesEnabled(configuration))
        {
            registry.AddAssembly(typeof(LuigiWebSetup).Assembly);
        }

        if (services is not null)
        {
            registry.AddRegisteredAssemblies(services);
        }

        if (configuration is null)
        {
            return registry;
        }

        registry.BindingOptions = ReadParameterOptions(configuration);
        return registry.AddConfiguredAssemblies(configuration, baseDirectory ?? Directory.GetCurrentDirectory()).ApplyConfiguredDefaults(configuration);
    }

    /// <summary>The setting that offers the example pipelines (<c>Luigi__Examples__Enabled=true</c>); off by default, so that a
    /// production host lists only its team's pipelines. <c>./run.sh</c> turns it on.</summary>
    public const string ExamplesSetting = "Luigi:Examples:Enabled";

    /// <summary>Whether <see cref="ExamplesSetting"/> is on.</summary>
    public static bool ExamplesEnabled(IConfiguration configuration) => configuration.GetValue<bool>(ExamplesSetting);

    /// <summary>Limits on every parameter value: <c>Luigi:Parameters</c> (<c>MaxTextLength</c>), validated.</summary>
    public static ParameterBindingOptions ReadParameterOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Luigi:Parameters").Get<ParameterBindingOptions>() ?? new ParameterBindingOptions();
        options.Validate();
        return options;
    }

    /// <summary>
    /// Sets the <see cref="DataRoot"/> from <c>Luigi:Data:Root</c> when it is configured; a relative root starts at
    /// <paramref name="baseDirectory"/> (the web host's content root, the command line's current directory). Without the
    /// setting the root stays <c>data</c> under the working directory.
    /// </summary>
    public static void ApplyDataRoot(IConfiguration configuration, string? baseDirectory)
    {
        if (configuration["Luigi:Data:Root"] is { Length: > 0 } root)
        {
            DataRoot.Set(root, baseDirectory);
        }
    }

    /// <summary>The host's settings outside ASP.NET's builder (the command line): appsettings.json beside the
    /// binary, then environment variables (<c>Luigi__Store__Provider</c>, <c>ConnectionStrings__Luigi</c>).</summary>
    public static IConfiguration LoadConfiguration() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>The store settings: <c>Luigi:Store</c> with the connection string <c>ConnectionStrings:Luigi</c>.</summary>
    public static StoreOptions ReadStoreOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Luigi:Store").Get<StoreOptions>() ?? new StoreOptions();
        options.ConnectionString ??= configuration.GetConnectionString("Luigi");
        return options;
    }

    /// <summary>
    /// Registers what the host needs: the store (<c>Luigi:Store</c>, <c>ConnectionStrings:Luigi</c>), the
    /// engine's settings (<c>Luigi:Engine</c>), this host's executor (<c>Luigi:Executor</c>) running as a
    /// hosted service, the pipelines (<c>Luigi:Pipelines:Assemblies</c>, <c>AddLuigiPipelines</c>), the live feed
    /// (<c>Luigi:Live</c>), failure e-mail (<c>Luigi:Email</c>), the host's role (<c>Luigi:Host:Role</c>), the retention of runs
    /// (<c>Luigi:Retention</c>), schedules and backfills (<c>Luigi:Schedules</c>), readiness (<c>/healthz/ready</c>) and the dashboard.
    /// Settings are validated when the host starts.
    /// </summary>
    /// <summary>
    /// The engine's settings: <c>Luigi:Engine</c>, with the resources' totals (<c>Luigi:Resources:&lt;name&gt;</c>) and the
    /// pipelines' run limits (<c>Luigi:RunLimits:&lt;pipeline&gt;</c>), validated.
    /// </summary>
    public static LuigiEngineOptions ReadEngineOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Luigi:Engine").Get<LuigiEngineOptions>() ?? new LuigiEngineOptions();
        foreach (var (name, total) in configuration.GetSection("Luigi:Resources").Get<Dictionary<string, int>>() ?? [])
        {
            options.Resources[name] = total;
        }

        foreach (var (pipeline, limit) in configuration.GetSection("Luigi:RunLimits").Get<Dictionary<string, int>>() ?? [])
        {
            options.MaxActiveRuns[pipeline] = limit;
        }

        options.Validate();
        return options;
    }

    internal static IServiceCollection AddLuigiWeb(this IServiceCollection services, IConfiguration configuration)
    {
        var storeOptions = ReadStoreOptions(configuration);
        storeOptions.Validate();
        var engineOptions = ReadEngineOptions(configuration);
        var executorOptions = configuration.GetSection("Luigi:Executor").Get<StoreExecutorOptions>() ?? new StoreExecutorOptions();
        executorOptions.Validate();
        var retentionOptions = configuration.GetSection("Luigi:Retention").Get<RetentionOptions>() ?? new RetentionOptions();
        retentionOptions.Validate();
        var scheduleOptions = configuration.GetSection("Luigi:Schedules").Get<ScheduleOptions>() ?? new ScheduleOptions();
        scheduleOptions.Validate();
        HostRoleSetting.Read(configuration);
        ReadParameterOptions(configuration);
        ApplyDataRoot(configuration, configuration[HostDefaults.ContentRootKey]);
        services.AddLuigiWebSecurity(configuration);
        services.AddLuigiAuth(configuration, storeOptions);

        services.AddSingleton(storeOptions);
        services.AddSingleton(engineOptions);
        services.AddSingleton(executorOptions);
        services.AddSingleton(retentionOptions);
        services.AddSingleton(TimeProvider.System);
        services.AddLuigiTaskServices(configuration);
        services.AddConfiguredPipelineServices(configuration, configuration[HostDefaults.ContentRootKey] ?? Directory.GetCurrentDirectory());
        services.AddSingleton(sp => CreatePipelineRegistry(configuration, sp.GetService<IHostEnvironment>()?.ContentRootPath, sp));
        services.AddSingleton(_ => LuigiStore.Create(storeOptions));
        services.AddSingleton(sp => new HostIdentity(engineOptions.Workers, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new StoreExecutor(
            sp.GetRequiredService<LuigiStore>(), sp.GetRequiredService<PipelineRegistry>(), engineOptions, executorOptions,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            observers: sp.GetServices<IRunObserver>(), identity: sp.GetRequiredService<HostIdentity>(), telemetry: sp.GetService<LuigiTelemetry>()));
        services.AddSingleton(sp => sp.GetRequiredService<StoreExecutor>().Client);
        services.AddSingleton(sp => RunLimits.For(sp.GetRequiredService<PipelineRegistry>(), engineOptions.MaxActiveRuns));
        services.AddSingleton(sp => new RunReader(ReliabilitySetup.CreateReadStore(storeOptions), sp.GetRequiredService<RunLimits>()));
        services.AddLuigiLive(configuration);
        services.AddSingleton<ExecutorHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutorHostedService>());
        services.AddHostedService<RetentionHostedService>();
        services.AddSingleton(scheduleOptions);
        services.AddSingleton<ScheduleSignal>();
        services.AddSingleton(sp => new ScheduleStore(sp.GetRequiredService<LuigiStore>(), sp.GetRequiredService<PipelineRegistry>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ScheduleTicker(sp.GetRequiredService<LuigiStore>(), sp.GetRequiredService<PipelineRegistry>(), sp.GetRequiredService<RunClient>(),
            scheduleOptions, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ScheduleTicker>>()));
        services.AddSingleton(sp => new Backfills(sp.GetRequiredService<LuigiStore>(), sp.GetRequiredService<PipelineRegistry>(), sp.GetRequiredService<RunClient>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Backfills>>()) { CompletenessCheckConcurrency = engineOptions.CompletenessCheckConcurrency });
        services.AddHostedService<ScheduleHostedService>();
        services.AddLuigiEmail(configuration);
        services.AddLuigiReliability();
        services.AddLuigiTelemetry(configuration);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = RefusalDetails.Fill);
        services.AddExceptionHandler<BadRequestProblemHandler>();
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true); // so BadRequestProblemHandler can say what was wrong
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer<PipelineSchemas>().AddSchemaTransformer(RunTasksApi.DescribeStoredParameters));
        // Enum members by name only: a number (a scope of 7) is refused, not stored to fail later.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false)));
        services.AddLuigiDashboard();
        return services;
    }

    /// <summary>
    /// The middleware of Luigi's endpoints, in front of them. Every response carries the security headers, the hub and the
    /// dashboard's circuit refuse other sites' pages, and every endpoint but the health checks, the metrics, the sign-in page
    /// and the static files needs a signed-in user with a role; acting needs an Operator (docs/security.md). Behind a trusted
    /// proxy, the client's address comes from its headers. An executor-only host (<c>Luigi:Host:Role</c> = <c>Executor</c>)
    /// has only the first three.
    /// </summary>
    internal static void UseLuigiMiddleware(IApplicationBuilder app, HostRole role)
    {
        app.UseLuigiForwardedHeaders();
        app.UseAuditOrigin();
        app.UseSecurityHeaders();
        if (role == HostRole.Executor)
        {
            return;
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOriginCheck();
        app.UseLuigiAuth();
        app.UseRequestBodyLimit();
        app.UseAntiforgery();
    }

    /// <summary>
    /// Maps Luigi's endpoints. An executor-only host maps only <c>/healthz</c>, <c>/healthz/ready</c> and, when on,
    /// <c>/metrics</c>: no dashboard, API or hub, whatever is added below later.
    /// </summary>
    internal static void MapLuigiEndpoints(IEndpointRouteBuilder app, HostRole role)
    {
        app.MapLuigiHealth(); // for the container's health check, which signs in as nobody
        app.MapLuigiMetrics();
        if (role == HostRole.Executor)
        {
            return;
        }

        app.MapOpenApi().RequireAuthorization(LuigiPolicies.View);
        app.MapGroup("/api").WithTags("Luigi").RequireAuthorization(LuigiPolicies.View).MapPipelinesApi().MapRunsApi().MapSchedulesApi().MapBackfillsApi().MapEmailApi();
        app.MapLuigiLive().RequireAuthorization(LuigiPolicies.View);
        app.MapLuigiAccount();
        app.MapLuigiOidc(app.ServiceProvider.GetRequiredService<AuthOptions>().Oidc);
        app.MapLuigiDashboard();
    }
}
