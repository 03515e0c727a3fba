using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Luigi.Web.Tests.Infrastructure;

namespace Luigi.Web.Tests.Hosting;

/// <summary>
/// An ASP.NET Core app with Luigi inside it, run as its own process (<c>dotnet App.dll</c>) on a free loopback port in the
/// Development environment, as <c>dotnet run</c> runs a team's app: its static web assets come from its build.
/// </summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>The last lines the app wrote, for a failing test to show.</summary>
    public string Tail => string.Join('\n', _output.TakeLast(40));

    /// <summary>
    /// Starts <paramref name="assembly"/> in <paramref name="workingDirectory"/> with <paramref name="settings"/> (configuration
    /// keys, given as environment variables) and waits until <paramref name="readyPath"/> answers 200.
    /// </summary>
    public static async Task<AppProcess> StartAsync(string assembly, string workingDirectory, IReadOnlyDictionary<string, string> settings, string readyPath)
    {
        var baseUrl = $"http://127.0.0.1:{LoopbackPort.Free()}";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly }, WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var app = new AppProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start dotnet {assembly}."), baseUrl);
        app._process.OutputDataReceived += (_, line) => app._output.Enqueue(line.Data ?? "");
        app._process.ErrorDataReceived += (_, line) => app._output.Enqueue(line.Data ?? "");
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        await app.WaitReadyAsync(readyPath);
        return app;
    }

    private async Task WaitReadyAsync(string readyPath)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            Assert.False(_process.HasExited, $"The app exited before it was ready:\n{Tail}");
            try
            {
                using var ready = await client.GetAsync(readyPath);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            Assert.True(DateTime.UtcNow < deadline, $"The app was not ready within 90 s:\n{Tail}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
