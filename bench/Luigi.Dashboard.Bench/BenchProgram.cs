using System.CommandLine;

// Measures the dashboard in headless Chromium against the real host on PostgreSQL (LUIGI_TEST_POSTGRES):
// how long a run's tasks view and graph take to render, and how late live changes reach the page.
namespace Luigi.Dashboard.Bench;

/// <summary>The bench's entry point (the host's own <c>Program</c> is the one under test).</summary>
internal static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        // scripts/bench-run-page.sh: one run's page on a host running apart (its memory measured on its own).
        if (args is ["--open-run", var url, var run])
        {
            return await RunPageBench.RunAsync(url, Guid.Parse(run), Console.Out);
        }

        // A finished layered run with two failures written straight into a PostgreSQL database, for the above; prints its id.
        if (args is ["--seed-run", var connection, var count])
        {
            return await RunPageBench.SeedAsync(connection, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), Console.Out);
        }

        var sizes = new Option<int[]>("--tasks") { Description = "Run sizes to open.", DefaultValueFactory = _ => [500, 1_000, 2_000, 5_000], AllowMultipleArgumentsPerToken = true };
        var repeat = new Option<int>("--repeat") { Description = "Page loads per size (the median is reported).", DefaultValueFactory = _ => 3 };
        var liveTasks = new Option<int>("--live-tasks") { Description = "Tasks of the live run.", DefaultValueFactory = _ => 5_000 };
        var rate = new Option<int>("--rate") { Description = "Target transitions per second of the live run.", DefaultValueFactory = _ => 1_000 };
        var workers = new Option<int>("--workers") { Description = "Workers of the host.", DefaultValueFactory = _ => 10 };
        var apiRequests = new Option<int>("--api-requests") { Description = "GETs of the API per kind of credentials and concurrency (0: none).", DefaultValueFactory = _ => 5_000 };
        var apiConcurrency = new Option<int[]>("--api-concurrency") { Description = "Clients sending at once.", DefaultValueFactory = _ => [1, 8, 32], AllowMultipleArgumentsPerToken = true };
        var signIn = new Option<int>("--signin-attempts") { Description = "Wrong-password sign-ins timed per kind of user name, known and unknown (0: none).", DefaultValueFactory = _ => 200 };
        var oneFamily = new Option<int[]>("--one-family") { Description = "Sizes of one-family runs, written straight into the store, to open as groups (none by default).", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
        var command = new RootCommand("Dashboard benchmark: render times and live latency in headless Chromium, the API's cost of a token, sign-in times.")
        {
            sizes, repeat, liveTasks, rate, workers, apiRequests, apiConcurrency, signIn, oneFamily,
        };
        command.SetAction((parse, cancellationToken) => DashboardBench.RunAsync(
            parse.GetValue(sizes)!, Math.Max(1, parse.GetValue(repeat)), parse.GetValue(liveTasks), parse.GetValue(rate), parse.GetValue(workers),
            parse.GetValue(apiRequests), parse.GetValue(apiConcurrency)!, parse.GetValue(signIn), parse.GetValue(oneFamily)!, Console.Out, cancellationToken));
        return await command.Parse(args).InvokeAsync();
    }
}
