using System.Runtime.InteropServices;
using Luigi.Web.Tests.Cli;

namespace Luigi.Web.Tests.Pipelines;

/// <summary>
/// A pipeline assembly is loaded as a plugin: Luigi.PluginProbe depends on System.IO.Ports, whose Unix build lives under
/// runtimes/unix/lib and whose native library under runtimes/&lt;rid&gt;/native. The host finds both through the plugin's
/// .deps.json; a file-name lookup in the plugin's folder would load the portable build, which throws on every call.
/// </summary>
public sealed class PluginLoadingTests : IDisposable
{
    private static readonly string ProbeFolder = Path.Combine(AppContext.BaseDirectory, "plugin-probe");
    private static readonly string ProbePath = Path.Combine(ProbeFolder, "Luigi.PluginProbe.dll");

    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-plugin-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Run_LoadsThePluginRuntimeSpecificAndNativeAssets_FromItsOwnFolder()
    {
        var report = Path.Combine(_scratch, "report.txt");

        var (exitCode, output, error) = await HostProcess.RunAsync(
            ["run", "SerialPortProbe", "--store", "memory", "--param", $"report={report}"], TeamPipelines.Listing(ProbePath));

        Assert.True(exitCode == 0, output + error);
        var lines = (await File.ReadAllLinesAsync(report)).ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 2)..]);
        Assert.StartsWith("ports: ", File.ReadLines(report).First()); // listing ports works: the Unix build, not the portable one
        Assert.Equal(Path.Combine(ProbeFolder, "runtimes", "unix", "lib", "net10.0", "System.IO.Ports.dll"), lines["managed"]);
        var rid = "linux-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        Assert.Equal(Path.Combine(ProbeFolder, "runtimes", rid, "native", "libSystem.IO.Ports.Native.so"), lines["native"]);
        Assert.Contains(lines["open"], new[] { "IOException", "UnauthorizedAccessException" }); // the native library refused the missing port
    }

    [Fact]
    public async Task Cli_ExitsWithAUsageErrorNamingThePlugin_WhenItsDepsFileIsBroken()
    {
        var copy = CopyProbe("broken");
        await File.WriteAllTextAsync(Path.ChangeExtension(copy, ".deps.json"), "{ this is not json");

        var (exitCode, output, error) = await HostProcess.RunAsync(["list"], TeamPipelines.Listing(copy));

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains($"error: The pipeline assembly '{copy}' listed in Luigi:Pipelines:Assemblies:0 could not be loaded:", error);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Cli_ExitsWithAUsageErrorNamingBothAssemblies_WhenTwoPluginsHaveAPipelineOfOneName()
    {
        var copy = CopyProbe("copy");
        var environment = new Dictionary<string, string>
        {
            ["Luigi__Pipelines__Assemblies__0"] = ProbePath,
            ["Luigi__Pipelines__Assemblies__1"] = copy,
        };

        var (exitCode, output, error) = await HostProcess.RunAsync(["list"], environment);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains(
            $"error: The pipeline assembly '{copy}' listed in Luigi:Pipelines:Assemblies:1 could not be registered: Two pipelines are named " +
            $"'SerialPortProbe': Luigi.PluginProbe.SerialPortProbe and Luigi.PluginProbe.SerialPortProbe. They come from the assemblies {ProbePath} and {copy}.",
            error);
    }

    [Fact]
    public async Task Cli_ExitsWithAUsageErrorNamingThePluginAndItsClass_WhenItsServiceRegistrationThrows()
    {
        var environment = TeamPipelines.Listing(ProbePath);
        environment["PluginProbe__FailServices"] = "true";

        var (exitCode, output, error) = await HostProcess.RunAsync(["list"], environment);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains(
            $"error: The pipeline assembly '{ProbePath}' listed in Luigi:Pipelines:Assemblies:0 could not register its services " +
            "(Luigi.PluginProbe.ProbeServices): the probe was told to fail (PluginProbe:FailServices).", error);
    }

    /// <summary>A copy of the probe's whole build output in a folder of the test's own; the path of its assembly.</summary>
    private string CopyProbe(string name)
    {
        var folder = Path.Combine(_scratch, name);
        foreach (var file in Directory.EnumerateFiles(ProbeFolder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(ProbeFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return Path.Combine(folder, "Luigi.PluginProbe.dll");
    }
}
