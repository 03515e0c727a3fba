using Luigi.Engine.Events;
using Luigi.Engine.ReadModel;
using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Engine.Storage;
using Luigi.Web.Api;

namespace Luigi.Web.Cli;

/// <summary>
/// The verbs that talk to a running host over its HTTP API: <c>trigger &lt;Pipeline&gt; [--param name=value ...] [--wait]</c>
/// and <c>status &lt;runId&gt;</c>, with <c>--server</c> (or <c>LUIGI_SERVER</c>) and an API token in <c>LUIGI_TOKEN</c> (or
/// <c>--token</c>, which other users of the machine can see in the process list). Exit codes: 0 done (a run queued, or
/// with <c>--wait</c> succeeded), 1 the run failed or was cancelled, 2 a usage error (unknown pipeline or run, bad
/// parameter), 3 the server could not be reached or refused the token: a fault of the connection, not of the run.
/// </summary>
internal static class ServerCommands
{
    /// <summary>Exit code when the server cannot be reached or refuses the token.</summary>
    public const int ServerFault = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static Command Trigger(TextWriter output, TextWriter error)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Name of the pipeline to trigger on the server." };
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter as name=value; repeat for several.", Arity = ArgumentArity.ZeroOrMore };
        var wait = new Option<bool>("--wait") { Description = "Wait until the run ends; exit 0 when it succeeded, 1 otherwise." };
        var poll = PollOption();
        var (server, token) = ConnectionOptions();
        var command = new Command("trigger", "Ask a running host for a run of a pipeline (its HTTP API); print the run's id.")
        {
            pipeline, parameters, wait, poll, server, token,
        };
        command.SetAction((parse, cancellationToken) => WithServerAsync(parse.GetValue(server), parse.GetValue(token), error, async client =>
        {
            Dictionary<string, string> values;
            try
            {
                values = RunCommand.ParseAssignments(parse.GetValue(parameters) ?? []).ToDictionary(p => p.Key, p => p.Value);
            }
            catch (ParameterException exception)
            {
                await error.WriteLineAsync($"error: {exception.Message}");
                return CliApp.UsageError;
            }

            var name = parse.GetRequiredValue(pipeline);
            using var response = await client.PostAsJsonAsync($"api/pipelines/{Uri.EscapeDataString(name)}/runs", new { parameters = values }, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return await RefusedAsync(response, error, cancellationToken);
            }

            var accepted = (await response.Content.ReadFromJsonAsync<RunAccepted>(Json, cancellationToken))!;
            await output.WriteLineAsync($"Run {accepted.Id} of {name} queued.");
            return parse.GetValue(wait) ? await WaitAsync(client, accepted.Id, parse.GetValue(poll), output, cancellationToken) : 0;
        }));
        return command;
    }

    public static Command Status(TextWriter output, TextWriter error)
    {
        var run = new Argument<Guid>("run") { Description = "The run's id." };
        var (server, token) = ConnectionOptions();
        var command = new Command("status", "Show a run of a running host: its state and its tasks by state.") { run, server, token };
        command.SetAction((parse, cancellationToken) => WithServerAsync(parse.GetValue(server), parse.GetValue(token), error, async client =>
        {
            var detail = await ReadRunAsync(client, parse.GetValue(run), error, cancellationToken);
            if (detail is null)
            {
                return CliApp.UsageError;
            }

            await WriteStatusAsync(detail, output);
            return 0;
        }));
        return command;
    }

    /// <summary>Polls the run's summary (its row, not its tasks) until it ends, then reads the whole run once to report it.</summary>
    private static async Task<int> WaitAsync(HttpClient client, Guid runId, TimeSpan poll, TextWriter output, CancellationToken cancellationToken)
    {
        while ((await client.GetFromJsonAsync<RunListItem>($"api/runs/{runId}/summary", Json, cancellationToken))!.State
               is not (RunState.Succeeded or RunState.Failed or RunState.Cancelled))
        {
            await Task.Delay(poll, cancellationToken);
        }

        var detail = (await client.GetFromJsonAsync<RunDetail>($"api/runs/{runId}", Json, cancellationToken))!;
        await WriteStatusAsync(detail, output);
        return detail.Run.State == RunState.Succeeded ? 0 : 1;
    }

    private static async Task<RunDetail?> ReadRunAsync(HttpClient client, Guid runId, TextWriter error, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync($"api/runs/{runId}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await RefusedAsync(response, error, cancellationToken);
            return null;
        }

        return await response.Content.ReadFromJsonAsync<RunDetail>(Json, cancellationToken);
    }

    private static async Task WriteStatusAsync(RunDetail detail, TextWriter output)
    {
        var counts = string.Join(", ", detail.Counts.Where(c => c.Value > 0).Select(c => $"{c.Value} {c.Key}"));
        await output.WriteLineAsync($"Run {detail.Run.Id} of {detail.Run.Pipeline}: {detail.Run.State} ({counts}).");
        foreach (var task in detail.Tasks.Where(t => t.ErrorSummary is not null))
        {
            await output.WriteLineAsync($"  {task.TaskId}: {task.State}: {task.ErrorSummary}");
        }
    }

    /// <summary>Says why the server refused, from its problem details; 3 for a refused token, 2 otherwise.</summary>
    private static async Task<int> RefusedAsync(HttpResponseMessage response, TextWriter error, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            await error.WriteLineAsync($"error: the server refused the token ({(int)response.StatusCode} {response.ReasonPhrase}); set LUIGI_TOKEN to an API token of an Operator.");
            return ServerFault;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try
        {
            using var problem = JsonDocument.Parse(text);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
        }

        await error.WriteLineAsync($"error: {detail ?? $"{(int)response.StatusCode} {response.ReasonPhrase}"}");
        return (int)response.StatusCode >= 500 ? ServerFault : CliApp.UsageError;
    }

    private static async Task<int> WithServerAsync(string? server, string? token, TextWriter error, Func<HttpClient, Task<int>> act)
    {
        server ??= Environment.GetEnvironmentVariable("LUIGI_SERVER");
        token ??= Environment.GetEnvironmentVariable("LUIGI_TOKEN");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"error: --server (or LUIGI_SERVER) must be the host's address, like http://localhost:5000; got '{server}'.");
            return CliApp.UsageError;
        }

        using var client = new HttpClient { BaseAddress = new Uri(address.ToString().TrimEnd('/') + "/") };
        if (!string.IsNullOrEmpty(token))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            return await act(client);
        }
        catch (HttpRequestException exception)
        {
            await error.WriteLineAsync($"error: could not reach {address}: {exception.Message}");
            return ServerFault;
        }
    }

    private static (Option<string?> Server, Option<string?> Token) ConnectionOptions() =>
        (new Option<string?>("--server", "-s") { Description = "The host's address, e.g. http://localhost:5000 (default: LUIGI_SERVER)." },
         new Option<string?>("--token") { Description = "An API token (default: LUIGI_TOKEN, which is safer: arguments show in the process list)." });

    private static Option<TimeSpan> PollOption() => new("--poll")
    {
        Description = "With --wait: how often to ask the server (default 00:00:01).",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
    };
}
