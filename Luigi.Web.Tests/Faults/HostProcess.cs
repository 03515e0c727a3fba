using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Luigi.Web.Auth;

namespace Luigi.Web.Tests.Faults;

/// <summary>
/// The product's host as its own operating-system process (<c>dotnet Luigi.Web.dll</c> from the build beside the
/// tests, Production environment, Kestrel on a free loopback port), on a PostgreSQL the test names, with the fault
/// probe's pipeline assembly listed in <c>Luigi:Pipelines:Assemblies</c> as a team's would be. A test can kill it
/// (SIGKILL), pause it (SIGSTOP) and resume it (SIGCONT) as an operating system or an operator would.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;
    private int _disposed;

    private HostProcess(Process process, string baseUrl, string token)
    {
        _process = process;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public string BaseUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the host wrote (warnings and errors), for a failing test to show.</summary>
    public string Tail => string.Join('\n', _output.TakeLast(40));

    /// <summary>
    /// Starts a host and waits until it is ready (<c>/healthz/ready</c> answers 200). <paramref name="settings"/> are
    /// the host's settings as configuration keys (<c>Luigi:Executor:Lease</c>), on top of the store, the data root and
    /// the API token every host of a test shares.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string connectionString, string dataRoot, string token, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = Luigi.Web.Tests.Infrastructure.LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Luigi.Web.dll") },
            WorkingDirectory = dataRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Luigi:Store:Provider"] = "Postgres",
            ["ConnectionStrings:Luigi"] = connectionString,
            ["Luigi:Pipelines:Assemblies:0"] = Path.Combine(AppContext.BaseDirectory, "Luigi.FaultProbe.dll"),
            ["Luigi:Data:Root"] = dataRoot,
            ["Luigi:Auth:BootstrapAdmin:ApiToken"] = token,
            ["Luigi:Engine:Workers"] = "2",
            ["Luigi:Examples:Enabled"] = "true", // the metrics tests run ComplexExample
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet Luigi.Web.dll.");
        var host = new HostProcess(process, $"http://127.0.0.1:{port}", token);
        process.OutputDataReceived += (_, line) => host.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => host.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host.WaitReadyAsync();
        return host;
    }

    /// <summary>A new API token for the hosts of one test (the first administrator's, which each host creates if it is missing).</summary>
    public static string NewToken() => ApiTokenFormat.New();

    /// <summary>Triggers a run of <paramref name="pipeline"/> through the API; returns its id.</summary>
    public async Task<Guid> TriggerAsync(string pipeline, IReadOnlyDictionary<string, object> parameters)
    {
        using var response = await _http.PostAsJsonAsync($"/api/pipelines/{pipeline}/runs", new { parameters });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Triggering {pipeline} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The state of run <paramref name="runId"/> as the API gives it (<c>Running</c>, <c>Succeeded</c>...).</summary>
    public async Task<string> RunStateAsync(Guid runId)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"/api/runs/{runId}"));
        return document.RootElement.GetProperty("run").GetProperty("state").GetString()!;
    }

    /// <summary>Whether the host answers its readiness check with 200.</summary>
    public async Task<bool> ReadyAsync()
    {
        using var response = await _http.GetAsync("/healthz/ready");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Kills the process at once (SIGKILL), as the OOM killer or a lost machine does; nothing of it runs after.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the process (SIGSTOP): it keeps its sockets and memory, but runs nothing until <see cref="Resume"/>.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused process go on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        using var probe = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with status {_process.ExitCode} before it was ready:\n{Tail}");
            }

            try
            {
                using var response = await probe.GetAsync("/healthz/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The host was not ready within 90 s:\n{Tail}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process if it still runs; once (a second call does nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
