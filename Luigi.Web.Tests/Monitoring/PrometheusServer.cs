using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Luigi.Web.Tests.Monitoring;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, which <c>./test.sh</c> installs; or the binary named by
/// <c>LUIGI_TEST_PROMETHEUS</c>) on a free loopback port, scraping one target every 2 s (a slower answer under a loaded CI machine would time every scrape out at 1 s), with its data in a
/// temporary folder deleted with it. Without the binary, the tests that use it fail and say how to get it: they never skip.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string VariableName = "LUIGI_TEST_PROMETHEUS";

    private readonly Process _process;
    private readonly string _folder;
    private readonly HttpClient _http = new();

    private PrometheusServer(Process process, string folder, string baseUrl)
    {
        _process = process;
        _folder = folder;
        BaseUrl = baseUrl;
        _http.BaseAddress = new Uri(baseUrl);
    }

    /// <summary>Where its HTTP API answers, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Starts a server scraping <paramref name="target"/> (<c>host:port</c>) at <paramref name="metricsPath"/> every 2 s.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, string metricsPath)
    {
        var binary = Environment.GetEnvironmentVariable(VariableName) is { Length: > 0 } configured ? configured : Find("prometheus")
            ?? throw new InvalidOperationException(
                "The prometheus binary is not installed, and this test scrapes the host with a real Prometheus server. Run ./test.sh, " +
                $"which installs Debian's prometheus package, install it yourself (sudo apt-get install prometheus), or set {VariableName} to a prometheus binary.");
        var folder = Directory.CreateTempSubdirectory("luigi-test-prometheus-").FullName;
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 2s
              scrape_timeout: 2s
            scrape_configs:
              - job_name: luigi
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ['{target}']
            """);
        var port = Luigi.Web.Tests.Infrastructure.LoopbackPort.Free();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, folder, $"http://127.0.0.1:{port}");
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>The value of an instant query whose result is one number; null while it has no result.</summary>
    public async Task<double?> QueryAsync(string query)
    {
        using var response = await _http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}");
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The raw answer of an instant query (JSON), for a failing test to show.</summary>
    public async Task<string> QueryTextAsync(string query)
    {
        using var response = await _http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>What the server says of its target: health, last scrape and last error (the targets API, as JSON).</summary>
    public async Task<string> TargetsAsync()
    {
        using var response = await _http.GetAsync("/api/v1/targets");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return string.Join("; ", document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(target =>
            $"{target.GetProperty("scrapeUrl").GetString()} {target.GetProperty("health").GetString()} " +
            $"last scrape {target.GetProperty("lastScrape").GetString()} error '{target.GetProperty("lastError").GetString()}'"));
    }

    /// <summary>Whether the server's last scrape of its target succeeded (<c>up</c> is 1).</summary>
    public async Task<bool> TargetUpAsync() => await QueryAsync("up{job=\"luigi\"}") == 1;

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with status {_process.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await _http.GetAsync("/-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("prometheus did not become ready within 60 s.");
            }

            await Task.Delay(100);
        }
    }

    private static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, command)).FirstOrDefault(File.Exists);


    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
