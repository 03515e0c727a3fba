using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Luigi.Web.Tests.Faults;

/// <summary>
/// A PostgreSQL server of the test's own, which the test may stop and start again (the shared test server cannot be):
/// a fresh cluster (initdb) in a temporary folder on a free loopback port, run with Debian's binaries, as the
/// <c>postgres</c> OS user when the tests run as root (PostgreSQL refuses to run as root), as scripts/test-postgres.sh
/// does. Missing binaries fail the test: the test command installs them.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _asPostgres;

    private PostgresCluster(string bin, string folder, int port, bool asPostgres)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
        _asPostgres = asPostgres;
    }

    public int Port { get; }

    /// <summary>The superuser's connection string to the database <c>postgres</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    private string Data => Path.Combine(_folder, "data");

    public static async Task<PostgresCluster> StartNewAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql; ./test.sh does).");
        var folder = Directory.CreateTempSubdirectory("luigi-fault-pg-").FullName;
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:", folder]);
        }

        var cluster = new PostgresCluster(bin, folder, Luigi.Web.Tests.Infrastructure.LoopbackPort.Free(), asPostgres);
        await cluster.PgAsync("initdb", ["-D", cluster.Data, "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8"]);
        await cluster.StartAsync();
        return cluster;
    }

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public Task StartAsync() => PgAsync("pg_ctl", ["start", "-D", Data, "-w", "-t", "60", "-l", Path.Combine(_folder, "server.log"),
        "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1"]);

    /// <summary>Stops the server as an administrator's restart does (fast: sessions are terminated, 57P01).</summary>
    public Task StopAsync() => PgAsync("pg_ctl", ["stop", "-D", Data, "-m", "fast", "-w", "-t", "60"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["stop", "-D", Data, "-m", "immediate", "-w"]);
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_folder, recursive: true);
    }

    private Task PgAsync(string tool, string[] arguments) =>
        _asPostgres ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments], _folder)
            : RunAsync(Path.Combine(_bin, tool), arguments, _folder);

    private static async Task RunAsync(string file, string[] arguments, string? directory = null)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory ?? "" };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }

}
