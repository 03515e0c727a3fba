namespace Luigi.Web.Tests.Cli;

/// <summary>Where the host binary writes files: under the data root (<c>Luigi:Data:Root</c>), never beside the working directory's other files.</summary>
public sealed class DataRootTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("luigi-root-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Run_WritesUnderTheConfiguredDataRoot_ResolvedFromTheCurrentDirectory()
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(
            ["run", "DailySales", "--store", "memory", "--param", "end=2026-11-25", "--param", "days=1", "--param", "dataDir=shop/eu"],
            new Dictionary<string, string> { ["Luigi__Data__Root"] = "files" }, _scratch);

        Assert.True(exitCode == 0, output + error);
        Assert.True(File.Exists(Path.Combine(_scratch, "files", "shop", "eu", "reports", "sales-2026-11-25_2026-11-25.csv")));
        Assert.Equal(["files"], Directory.GetFileSystemEntries(_scratch).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Run_WritesUnderDataInTheCurrentDirectory_WhenNoRootIsConfigured()
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(
            ["run", "DailySales", "--store", "memory", "--param", "end=2026-11-25", "--param", "days=1"], workingDirectory: _scratch);

        Assert.True(exitCode == 0, output + error);
        Assert.True(File.Exists(Path.Combine(_scratch, "data", "sales", "clean", "orders-2026-11-25.csv")));
    }

    [Theory]
    [InlineData("dataDir=../outside", "'..' would leave the data root")]
    [InlineData("dataDir=", "it is empty")]
    public async Task Run_ExitsTwoAndWritesNothing_WhenThePathWouldLeaveTheRoot(string assignment, string says)
    {
        var (exitCode, _, error) = await HostProcess.RunAsync(["run", "DailySales", "--store", "memory", "--param", assignment], workingDirectory: _scratch);

        Assert.Equal(2, exitCode);
        Assert.Contains(says, error);
        Assert.Empty(Directory.GetFileSystemEntries(_scratch));
    }
}
