using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Luigi.Engine;
using Luigi.Engine.Events;
using Luigi.Engine.Graph;
using Luigi.Web.Bench;

namespace Luigi.Web.Cli;

/// <summary>
/// <c>bench --shape chain|fanin|layered --tasks N --workers W</c>: builds a synthetic graph of no-op
/// tasks, runs it, and prints as its last line one JSON object with the figures.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output)
    {
        var shape = new Option<BenchShape>("--shape") { Description = "Graph shape.", DefaultValueFactory = _ => BenchShape.Layered };
        var tasks = new Option<int>("--tasks") { Description = "Number of tasks.", DefaultValueFactory = _ => 10_000 };
        tasks.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--tasks must be at least 1.");
            }
        });
        var width = new Option<int>("--width") { Description = "Tasks per layer (layered shape).", DefaultValueFactory = _ => 100 };
        var workers = RunCommand.WorkersOption();
        workers.DefaultValueFactory = _ => 8;
        var store = RunCommand.StoreOption();
        var noWarmUp = new Option<bool>("--no-warmup") { Description = "Measure the first run too (JIT included)." };
        var command = new Command("bench", "Run a synthetic graph of no-op tasks and measure the engine.")
        {
            shape, tasks, width, workers, store, noWarmUp,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(shape), parse.GetValue(tasks), Math.Max(1, parse.GetValue(width)), parse.GetValue(workers), parse.GetValue(store) ?? "memory",
            !parse.GetValue(noWarmUp), output, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        BenchShape shape, int count, int width, int workers, string store, bool warmUp, TextWriter output, CancellationToken cancellationToken)
    {
        // A store is opened and migrated before the clock starts; the warm-up run goes through it too.
        var stored = store == "memory" ? null : await BenchStore.OpenAsync(store, cancellationToken);
        if (warmUp)
        {
            // JIT and thread-pool warm-up on a small graph of the same shape, so the figures are the steady cost.
            var warmUpCount = Math.Min(count, 2_000);
            if (stored is null)
            {
                await RunGraphAsync(BenchGraph.Create(shape, warmUpCount, width), workers, cancellationToken);
            }
            else
            {
                await stored.RunAsync(shape, warmUpCount, width, workers, cancellationToken);
            }
        }

        var graph = BenchGraph.Create(shape, count, width);
        var scansBefore = await SettledScansAsync(stored, cancellationToken);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var resolved = new ResolvedAt(clock);
        int done;
        if (stored is null)
        {
            var result = await RunGraphAsync(graph, workers, cancellationToken, resolved);
            done = result.Summary.Ran.Count;
        }
        else
        {
            (done, var resolveSeconds) = await stored.RunAsync(shape, count, width, workers, cancellationToken);
            resolved.Seconds = resolveSeconds;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        if (done != count)
        {
            await output.WriteLineAsync($"error: {done} of {count} tasks ran.");
            return 1;
        }

        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var scansAfter = await SettledScansAsync(stored, cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{shape} graph: {count} tasks, {graph.EdgeCount} edges, {workers} workers: {seconds:0.000} s (resolve {resolved.Seconds:0.000} s), {count / seconds:0} tasks/s, {seconds / count * 1e6:0.00} µs/task"));
        var figures = new Dictionary<string, object>
        {
            ["shape"] = shape.ToString().ToLowerInvariant(),
            ["tasks"] = count,
            ["workers"] = workers,
            ["store"] = store,
            ["seconds"] = Math.Round(seconds, 4),
            ["resolve_seconds"] = Math.Round(resolved.Seconds, 4),
            ["tasks_per_s"] = Math.Round(count / seconds, 1),
            ["peak_mb"] = Math.Round(peakMb, 1),
            ["cpu_seconds"] = Math.Round(cpuSeconds, 3),
        };
        if (scansBefore is not null && scansAfter is not null)
        {
            // Sequential scans of the hot tables during the measured run, per 1,000 tasks: with plans that use the
            // indexes these stay near zero whatever the size of the run; a regression shows as scans that grow with it.
            figures["seq_scans_per_1k"] = BenchStore.HotTables.ToDictionary(t => t, t => Math.Round((scansAfter[t].Scans - scansBefore[t].Scans) * 1000.0 / count, 2));
            figures["seq_rows_per_1k"] = BenchStore.HotTables.ToDictionary(t => t, t => Math.Round((scansAfter[t].Rows - scansBefore[t].Rows) * 1000.0 / count, 0));
        }

        await output.WriteLineAsync(JsonSerializer.Serialize(figures));
        return 0;
    }

    /// <summary>The hot tables' sequential scans so far (PostgreSQL only), outside the measured span. A backend publishes its
    /// counters at most every second and at the latest 10 s after going idle, or when it exits: the pooled connections are
    /// closed first, and their backends waited for, so the counters are complete without a delay in which autovacuum could
    /// analyze the warm-up's rows (a delay the first run on a new database does not get).</summary>
    private static async Task<Dictionary<string, (long Scans, long Rows)>?> SettledScansAsync(BenchStore? stored, CancellationToken cancellationToken)
    {
        if (stored is not { IsPostgres: true })
        {
            return null;
        }

        return await stored.SequentialScansAsync(cancellationToken);
    }

    private static Task<RunResult> RunGraphAsync(BenchGraph graph, int workers, CancellationToken cancellationToken, IRunObserver? observer = null)
    {
        var roots = graph.Sinks.Select(i => new BenchTask { Index = i, Graph = graph }).ToList();
        return new LuigiEngine(new LuigiEngineOptions { Workers = workers }, observers: observer is null ? null : [observer])
            .RunAsync(roots, cancellationToken);
    }

    /// <summary>
    /// Notes when the graph is resolved (a store run sets it from the stored times). Having an observer
    /// also makes the executor tell a <see cref="TaskChange"/> for every state change, as every real run (with a
    /// live feed or a console) does.
    /// </summary>
    private sealed class ResolvedAt(Stopwatch clock) : IRunObserver
    {
        public double Seconds { get; set; }

        public void OnGraphResolved(Guid runId, TaskGraph graph) => Seconds = clock.Elapsed.TotalSeconds;

        public void OnTaskChanged(TaskChange change)
        {
        }
    }
}
