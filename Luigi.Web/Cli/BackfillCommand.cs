using System.CommandLine;
using System.Globalization;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Schedules;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Cli;

/// <summary>
/// <c>backfill &lt;Pipeline&gt; --from yyyy-MM-dd --to yyyy-MM-dd [--param name=value ...] [--date-parameter name]
/// [--max-concurrent N] [--workers N] [--store sqlite|postgres]</c>: Luigi's <c>RangeDaily</c>. The backfill is kept in the
/// store like one started from the API or the dashboard, and this process runs its dates to the end, at most
/// <c>--max-concurrent</c> at once, skipping the dates already complete. Exit codes as <c>run</c>: 0 when every date
/// succeeded or was complete, 1 when one failed or was cancelled (Ctrl+C), 2 for a usage error.
/// </summary>
internal static class BackfillCommand
{
    public static Command Create(PipelineRegistry registry, TextWriter output, TextWriter error)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Name of the pipeline to backfill (see list)." };
        var from = new Option<string>("--from") { Description = "First date, yyyy-MM-dd.", Required = true };
        var to = new Option<string>("--to") { Description = "Last date, yyyy-MM-dd (inclusive).", Required = true };
        var parameters = new Option<string[]>("--param", "-p") { Description = "Another parameter as name=value, the same for every date; repeat for several.", Arity = ArgumentArity.ZeroOrMore };
        var dateParameter = new Option<string?>("--date-parameter") { Description = "The date parameter that takes each date (needed only when the pipeline has several)." };
        var concurrent = new Option<int>("--max-concurrent") { Description = "How many dates run at once.", DefaultValueFactory = _ => 3 };
        var workers = RunCommand.WorkersOption();
        var store = new Option<string?>("--store") { Description = "sqlite or postgres; default: the configured store." };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var command = new Command("backfill", "Run a pipeline once per date of a range, skipping the dates already complete, and print each date's outcome.")
        {
            pipeline, from, to, parameters, dateParameter, concurrent, workers, store,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            registry, parse.GetRequiredValue(pipeline), parse.GetRequiredValue(from), parse.GetRequiredValue(to), parse.GetValue(parameters) ?? [],
            parse.GetValue(dateParameter), parse.GetValue(concurrent), parse.GetValue(workers), parse.GetValue(store), output, error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        PipelineRegistry registry, string name, string fromText, string toText, string[] rawParameters, string? dateParameter, int concurrent, int workers,
        string? storeName, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(fromText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !DateOnly.TryParseExact(toText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
        {
            await error.WriteLineAsync($"error: --from and --to are dates as yyyy-MM-dd; got '{fromText}' and '{toText}'.");
            return CliApp.UsageError;
        }

        var storeOptions = LuigiWebSetup.ReadStoreOptions(LuigiWebSetup.LoadConfiguration());
        if (storeName is not null)
        {
            storeOptions.Provider = Enum.Parse<StoreProvider>(storeName, ignoreCase: true);
        }

        List<KeyValuePair<string, string>> parameters;
        try
        {
            storeOptions.Validate();
            parameters = RunCommand.ParseAssignments(rawParameters);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ParameterException)
        {
            await error.WriteLineAsync($"error: {exception.Message}");
            return CliApp.UsageError;
        }

        var time = TimeProvider.System;
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new TextWriterLoggerProvider(output, time, LogLevel.Warning)));
        var store = LuigiStore.Create(storeOptions);
        await store.MigrateAsync(CancellationToken.None);
        var engine = new LuigiEngineOptions { Workers = workers };
        var options = new StoreExecutorOptions { PollInterval = TimeSpan.FromMilliseconds(200), HeartbeatInterval = TimeSpan.FromSeconds(2) };
        StoreExecutor NewExecutor() => new(store, registry, engine, options, time, loggers);
        var backfills = new Backfills(store, registry, NewExecutor().Client, time) { CompletenessCheckConcurrency = engine.CompletenessCheckConcurrency };
        BackfillView backfill;
        try
        {
            backfill = await backfills.StartAsync(
                new BackfillRequest(name, from, to, parameters.ToDictionary(p => p.Key, p => p.Value), dateParameter, concurrent), Environment.UserName, RunTrigger.Cli,
                CancellationToken.None);
        }
        catch (ScheduleException exception)
        {
            foreach (var problem in exception.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Field}: {problem.Message}");
            }

            return CliApp.UsageError;
        }

        await output.WriteLineAsync($"Backfill {backfill.Id} of {backfill.Pipeline}: {backfill.Progress.Dates} dates ({backfill.DateParameter}) from {from:yyyy-MM-dd} to {to:yyyy-MM-dd}, at most {concurrent} at once, in the {store.Provider} store.");
        var running = new Dictionary<Guid, Task<RunState>>();
        var reported = new HashSet<DateOnly>();
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var runId in await backfills.DriveAsync(backfill.Id, CancellationToken.None))
            {
                running[runId] = NewExecutor().RunToEndAsync(runId, cancellationToken);
            }

            var detail = (await backfills.GetAsync(backfill.Id, CancellationToken.None))!;
            await ReportAsync(detail, reported, output);
            // A host's ticker may have queued dates too: work on them alongside it.
            foreach (var date in detail.Dates.Where(d => d.RunId is { } id && !running.ContainsKey(id)
                && d.RunState is RunState.Queued or RunState.Resolving or RunState.Running or RunState.Cancelling))
            {
                running[date.RunId!.Value] = NewExecutor().RunToEndAsync(date.RunId.Value, cancellationToken);
            }

            if (detail.Backfill.FinishedAt is not null || running.Count == 0)
            {
                break;
            }

            await Task.WhenAny(running.Values);
            foreach (var done in running.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList())
            {
                running.Remove(done);
            }
        }

        await Task.WhenAll(running.Values);
        var final = (await backfills.GetAsync(backfill.Id, CancellationToken.None))!;
        await ReportAsync(final, reported, output);
        var p = final.Backfill.Progress;
        await output.WriteLineAsync($"{p.Dates} dates: {p.Succeeded} succeeded, {p.Complete} already complete, {p.Failed} failed, {p.Cancelled} cancelled, {p.Waiting + p.Running} not run.");
        return p.Succeeded + p.Complete == p.Dates ? 0 : 1;
    }

    private static async Task ReportAsync(BackfillDetail detail, HashSet<DateOnly> reported, TextWriter output)
    {
        foreach (var date in detail.Dates.Where(d => !reported.Contains(d.Date)))
        {
            var line = date.State == BackfillDateState.Complete ? "already complete, skipped"
                : date.RunState is RunState.Succeeded or RunState.Failed or RunState.Cancelled ? $"{date.RunState} (run {date.RunId})"
                : null;
            if (line is not null)
            {
                reported.Add(date.Date);
                await output.WriteLineAsync($"{date.Date:yyyy-MM-dd} {line}");
            }
        }
    }
}
