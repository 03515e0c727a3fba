using Luigi.Engine.Parameters;

namespace Luigi.Engine.Tests;

/// <summary>The build maps source paths to the repository (Directory.Build.props), so stack traces shown to users name no build machine's folder.</summary>
public sealed class SourcePathsTests
{
    [Fact]
    public void StackTraces_NameSourceFilesByTheirPlaceInTheRepository()
    {
        var exception = Assert.Throws<ParameterException>(() => ParameterValues.Parse("delayMs", typeof(int), "soon"));

        var trace = exception.StackTrace!;
        Assert.Contains("in ./Luigi.Engine/Parameters/ParameterValues.cs:line ", trace);
        Assert.DoesNotContain(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..")), trace);
    }
}
