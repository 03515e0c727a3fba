using System.ComponentModel;
using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// <c>docker-compose.yml</c> with the settings of <c>.env.example</c>, as Compose reads it: the output of
/// <c>docker-compose config</c>, which validates the file, merges its extensions and fills in the variables
/// without a Docker engine. Run once per test class; a missing <c>docker-compose</c> fails every test using it.
/// </summary>
public sealed class ComposeConfig : IAsyncLifetime
{
    public const string ComposeFile = "docker-compose.yml";
    public const string EnvFile = ".env.example";

    private YamlMappingNode? _root;

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = "";

    public string Error { get; private set; } = "";

    /// <summary>The printed configuration; only when <see cref="ExitCode"/> is 0.</summary>
    public YamlMappingNode Root => _root ?? throw new InvalidOperationException(
        $"docker-compose config failed (exit code {ExitCode}): {Error}");

    public YamlMappingNode Services => (YamlMappingNode)Root["services"];

    public YamlMappingNode Service(string name) =>
        Services.Children.TryGetValue(name, out var service)
            ? (YamlMappingNode)service
            : throw new Xunit.Sdk.XunitException($"{ComposeFile} has no service '{name}'.");

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--file", ComposeFile, "--env-file", EnvFile, "config" })
        {
            start.ArgumentList.Add(argument);
        }

        // The file's values must come from .env.example alone, not from whatever this shell happens to export.
        foreach (var name in RepositoryFiles.ReadEnvFile(EnvFile).Keys)
        {
            start.Environment.Remove(name);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "docker-compose is not installed, and these tests check docker-compose.yml with `docker-compose config` " +
                "(no Docker engine needed). Run the tests with ./test.sh, which installs Debian's docker-compose package, " +
                "or install it yourself: sudo apt-get install docker-compose.", e);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            (ExitCode, Output, Error) = (process.ExitCode, await output, await error);
        }

        if (ExitCode == 0)
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(Output));
            _root = (YamlMappingNode)yaml.Documents[0].RootNode;
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
