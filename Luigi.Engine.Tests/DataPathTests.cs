using Luigi.Engine.Parameters;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public sealed class DataPathTests
{
    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("   ", "it is empty")]
    [InlineData("/tmp/x", "it is absolute")]
    [InlineData("\\tmp\\x", "it is absolute")]
    [InlineData("C:\\Windows", "it is absolute")]
    [InlineData("c:relative", "it is absolute")]
    [InlineData("\\\\server\\share\\x", "it is absolute")]
    [InlineData("//server/share/x", "it is absolute")]
    [InlineData("..", "'..' would leave the data root")]
    [InlineData("../../../../tmp/x", "'..' would leave the data root")]
    [InlineData("..\\..\\tmp\\x", "'..' would leave the data root")]
    [InlineData("sales/../../x", "'..' would leave the data root")]
    [InlineData("sales\\..\\..\\x", "'..' would leave the data root")]
    [InlineData("sales/...", "'...' would leave the data root")]
    [InlineData(".", "it names the data root itself")]
    [InlineData("./", "it names the data root itself")]
    [InlineData("sales/a:b", "contains ':'")]
    [InlineData("sales/a\u0001b", "contains U+0001")]
    [InlineData("sales/x.", "ends with a dot")]
    [InlineData("sales/x ", "ends with a space")]
    [InlineData("sales/CON", "is a device name on Windows")]
    [InlineData("nul.txt", "is a device name on Windows")]
    public void TryParse_RefusesPathsThatCouldLeaveTheRoot_WithEitherSeparator(string text, string problem)
    {
        Assert.False(DataPath.TryParse(text, out var path, out var why));
        Assert.Null(path);
        Assert.Contains(problem, why);
    }

    [Fact]
    public void TryParse_RefusesLongPathsAndLongNames()
    {
        Assert.False(DataPath.TryParse(string.Join('/', Enumerable.Repeat("abcd", 1_000)), out _, out var tooLong));
        Assert.Contains("longer than 1024 characters", tooLong);
        Assert.False(DataPath.TryParse("a/" + new string('n', 256), out _, out var longName));
        Assert.Contains("longer than 255 characters", longName);
    }

    [Theory]
    [InlineData("sales", "sales")]
    [InlineData("sales/eu", "sales/eu")]
    [InlineData("sales\\eu", "sales/eu")]
    [InlineData("./sales//eu/", "sales/eu")]
    [InlineData("2026-11-26/report.v2.csv", "2026-11-26/report.v2.csv")]
    public void TryParse_KeepsARelativePathWithSlashes(string text, string value)
    {
        Assert.True(DataPath.TryParse(text, out var path, out _));
        Assert.Equal(value, path!.Value);
        Assert.Equal(Path.Combine(DataRoot.Directory, value.Replace('/', Path.DirectorySeparatorChar)), path.FullPath);
    }

    [Fact]
    public void Combine_ChecksTheAddedSegmentsToo()
    {
        var folder = DataPath.Parse("sales");

        Assert.Equal("sales/raw/a.csv", folder.Combine("raw", "a.csv").Value);
        Assert.Throws<ArgumentException>(() => folder.Combine("..", "..", "etc"));
        Assert.Throws<ArgumentException>(() => folder.Combine("/etc/passwd"));
    }

    [Fact]
    public void Bind_RefusesTraversal_NamingTheParameter()
    {
        var error = Assert.Throws<ParameterException>(() => ParameterSchema.For(typeof(LimitedTask)).Bind([new("folder", "..\\..\\tmp")])).Errors.Single();

        Assert.Equal("folder", error.Parameter);
        Assert.Equal(
            "Parameter 'folder' expects a path under the data root like sales/eu (relative, no '..'); got '..\\..\\tmp': '..' would leave the data root.",
            error.Message);
    }

    [Fact]
    public void LocalFileTarget_ResolvesARelativePathUnderTheDataRoot_NeverTheWorkingDirectory()
    {
        var target = new LocalFileTarget("sales/a.csv");

        Assert.Equal(Path.Combine(DataRoot.Directory, "sales", "a.csv"), target.Path);
        Assert.Equal(target.Path, new LocalFileTarget(DataPath.Parse("sales").Combine("a.csv")).Path);
        Assert.Throws<ArgumentException>(() => new LocalFileTarget("../outside.csv"));
        Assert.Throws<ArgumentException>(() => new LocalFileTarget("sales/../../outside.csv"));
        Assert.Throws<ArgumentException>(() => new LocalFileTarget(""));
    }

    [Fact]
    public void IdOf_ATaskWithAPath_ShowsItRelative()
    {
        var task = (LimitedTask)ParameterSchema.For(typeof(LimitedTask)).Bind([new("folder", "sales\\eu")]);

        Assert.Contains("folder=sales/eu", task.TaskId);
    }
}
