using System.CommandLine;
using Luigi.Engine;
using Luigi.Engine.Graph;
using Luigi.Engine.Parameters;
using Luigi.Engine.Storage;
using Luigi.Engine.Pipelines;
using Luigi.Web.Dashboard;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Cli;

/// <summary><c>run &lt;Pipeline&gt; [--workers N] [--param name=value ...] [--store memory] [--dry-run]</c>.</summary>
internal static class RunCommand
{
    public static Command Create(PipelineRegistry registry, TextWriter output, TextWriter error)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Name of the pipeline to run (see list)." };
        var workers = WorkersOption();
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "A parameter as name=value; repeat for several.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var store = StoreOption();
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Resolve the graph and check completeness without running anything: print what would run and what is complete, by family.",
        };
        var command = new Command("run", "Run a pipeline to completion in this process and print the execution summary.")
        {
            pipeline, workers, parameters, store, dryRun,
        };
        command.SetAction((parse, cancellationToken) => parse.GetValue(dryRun)
            ? DryRunAsync(registry, parse.GetRequiredValue(pipeline), parse.GetValue(parameters) ?? [], output, error, cancellationToken)
            : RunAsync(registry, parse.GetRequiredValue(pipeline), parse.GetValue(workers), parse.GetValue(parameters) ?? [], parse.GetValue(store),
                output, error, cancellationToken));
        return command;
    }

    internal static Option<int> WorkersOption()
    {
        var option = new Option<int>("--workers", "-w")
        {
            Description = "How many tasks may run at once.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--workers must be at least 1.");
            }
        });
        return option;
    }

    internal static Option<string?> StoreOption()
    {
        var option = new Option<string?>("--store")
        {
            Description = "Where the run is kept: memory (nothing kept, Luigi's local mode), sqlite or postgres. "
                + "Default: the configured store (Luigi:Store:Provider, ConnectionStrings:Luigi).",
        };
        option.AcceptOnlyFromAmong("memory", "sqlite", "postgres");
        return option;
    }

    private static async Task<int> RunAsync(
        PipelineRegistry registry, string name, int workers, string[] rawParameters, string? storeName, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        List<LuigiTask> roots;
        List<KeyValuePair<string, string>> parameters;
        try
        {
            parameters = ParseAssignments(rawParameters);
            roots = registry.Create(name, parameters).Roots().ToList();
        }
        catch (Exception exception) when (exception is UnknownPipelineException or ParameterException)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return CliApp.UsageError;
        }
        catch (Exception exception)
        {
            await error.WriteLineAsync($"error: pipeline '{name}' could not build its tasks: {exception}");
            return 1;
        }

        var time = TimeProvider.System;
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new TextWriterLoggerProvider(output, time, LogLevel.Information)));
        var configuration = LuigiWebSetup.LoadConfiguration();
        var storeOptions = LuigiWebSetup.ReadStoreOptions(configuration);
        LuigiEngineOptions settings;
        try
        {
            settings = LuigiWebSetup.ReadEngineOptions(configuration); // resources' totals and run limits, as the web host has them
        }
        catch (ArgumentOutOfRangeException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return CliApp.UsageError;
        }

        settings.Workers = workers;
        if (storeName is not null && storeName != "memory")
        {
            storeOptions.Provider = Enum.Parse<StoreProvider>(storeName, ignoreCase: true);
        }

        if (storeName != "memory")
        {
            try
            {
                storeOptions.Validate();
            }
            catch (InvalidOperationException exception)
            {
                await error.WriteLineAsync($"error: {exception.Message}");
                return CliApp.UsageError;
            }

            return await StoreRun.RunAsync(registry, storeOptions, name, parameters, settings, output, loggers, cancellationToken);
        }

        var engine = new LuigiEngine(settings, time, loggers, [new ConsoleProgressObserver(output, time)], registry.Services);
        try
        {
            var result = await engine.RunAsync(roots, cancellationToken);
            await output.WriteLineAsync();
            await output.WriteLineAsync(result.Summary.ToString());
            return result.ExitCode;
        }
        catch (DependencyCycleException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message} Nothing was run.");
            return 1;
        }
        catch (ResourceException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message} Nothing was run.");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("Cancelled while resolving the graph; nothing was run.");
            return 1;
        }
    }

    private static async Task<int> DryRunAsync(
        PipelineRegistry registry, string name, string[] rawParameters, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var plan = await new DryRunPlanner(registry).PlanAsync(name, ParseAssignments(rawParameters), listed: 50, cancellationToken: cancellationToken);
            await output.WriteAsync(DryRunText.Format(plan));
            return 0;
        }
        catch (Exception exception) when (exception is UnknownPipelineException or ParameterException)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return CliApp.UsageError;
        }
        catch (DependencyCycleException exception)
        {
            await error.WriteLineAsync($"error: {exception.Message} Nothing was run.");
            return 1;
        }
    }

    /// <summary>Splits <c>name=value</c> pairs; a pair without '=' is a parameter error.</summary>
    internal static List<KeyValuePair<string, string>> ParseAssignments(IEnumerable<string> raw)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var errors = new List<ParameterError>();
        foreach (var item in raw)
        {
            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add(new ParameterError(item, $"--param expects name=value; got '{item}'."));
                continue;
            }

            pairs.Add(new(item[..equals].Trim(), item[(equals + 1)..]));
        }

        return errors.Count > 0 ? throw new ParameterException(errors) : pairs;
    }
}
