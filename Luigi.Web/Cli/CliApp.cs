using System.CommandLine;
using Luigi.Engine.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Web.Pipelines;

namespace Luigi.Web.Cli;

/// <summary>
/// The command-line verbs of the host binary (and the <c>luigi</c> tool): <c>run</c>, <c>backfill</c>, <c>list</c> and <c>bench</c>
/// in this process, <c>trigger</c> and <c>status</c> against a running host (<see cref="ServerCommands"/>). Exit codes:
/// 0 when everything requested is done or was already complete, 1 when something failed, 2 for a
/// usage error (unknown pipeline, unknown or malformed parameter, bad option).
/// </summary>
public static class CliApp
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageError = 2;

    private static readonly string[] Verbs = ["run", "backfill", "list", "bench", "trigger", "status"];

    /// <summary>True when the arguments name a verb (or ask for help) rather than starting the web host.</summary>
    public static bool IsCliInvocation(string[] args) =>
        args.Length > 0 && (Verbs.Contains(args[0], StringComparer.Ordinal) || args[0] is "--help" or "-h" or "-?" or "--version");

    /// <summary>
    /// Runs a verb with the pipelines of the configuration: the examples and the assemblies listed in
    /// <c>Luigi:Pipelines:Assemblies</c> (relative to the current directory), with their configured defaults, created with
    /// the services every host offers (<see cref="PipelineSettings.AddLuigiTaskServices"/>; tasks' own log lines are
    /// printed). A listed assembly that cannot be used, a pipeline needing a service that is not registered, or a
    /// configured default that does not fit is a usage error, reported before anything runs.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        output = TextWriter.Synchronized(output ?? Console.Out);
        var writer = output;
        var collection = new ServiceCollection()
            .AddLuigiTaskServices(configuration)
            .AddSingleton(TimeProvider.System)
            .AddLogging(logging => logging.AddProvider(new TextWriterLoggerProvider(writer, TimeProvider.System, LogLevel.Information))
                .AddFilter("Microsoft", LogLevel.Warning).AddFilter("System", LogLevel.Warning));
        ServiceProvider? services = null;
        PipelineRegistry registry;
        try
        {
            services = collection.AddConfiguredPipelineServices(configuration, Directory.GetCurrentDirectory()).BuildServiceProvider();
            registry = LuigiWebSetup.CreatePipelineRegistry(configuration, services: services);
            LuigiWebSetup.ApplyDataRoot(configuration, Directory.GetCurrentDirectory());
        }
        catch (Exception exception) when (exception is PipelineAssemblyException or PipelineActivationException or PipelineSettingException or ArgumentException)
        {
            await (error ?? Console.Error).WriteLineAsync($"error: {exception.Message}");
            if (services is not null)
            {
                await services.DisposeAsync();
            }

            return UsageError;
        }

        await using (services)
        {
            return await RunAsync(args, registry, output, error, cancellationToken);
        }
    }

    /// <summary>Parses and runs a verb, writing to the given writers (the console by default).</summary>
    public static async Task<int> RunAsync(string[] args, PipelineRegistry registry, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        output = TextWriter.Synchronized(output ?? Console.Out);
        error = TextWriter.Synchronized(error ?? Console.Error);
        var root = new RootCommand("Luigi for .NET: run batch pipelines and their dependencies, or serve the dashboard (no verb).")
        {
            RunCommand.Create(registry, output, error),
            BackfillCommand.Create(registry, output, error),
            ListCommand.Create(registry, output),
            BenchCommand.Create(output),
            ServerCommands.Trigger(output, error),
            ServerCommands.Status(output, error),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }

            await error.WriteLineAsync("See --help for usage.");
            return UsageError;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}
