using System.Xml.Linq;

namespace Luigi.Web.Tests.Deployment;

/// <summary>
/// The image of the web host. No Docker engine runs the tests, so the Dockerfile is read, not built: these
/// checks catch what would break <c>docker build</c> or make the container unsafe or unobservable.
/// </summary>
public sealed class DockerfileTests
{
    private readonly IReadOnlyList<(string Instruction, string Arguments)> _instructions = Parse(RepositoryFiles.Read("Dockerfile"));

    [Fact]
    public void Image_IsBuiltWithTheSdk_AndRunsOnTheAspNetRuntime()
    {
        var stages = Arguments("FROM").ToList();

        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1]);
    }

    [Fact]
    public void Container_RunsAsTheImagesNonRootUser()
    {
        var user = Assert.Single(Arguments("USER", finalStageOnly: true));

        Assert.Contains(user, new[] { "$APP_UID", "${APP_UID}", "app" });
    }

    [Fact]
    public void Container_ServesOnPort8080_AndChecksItsHealthThere()
    {
        var final = Arguments("ENV", finalStageOnly: true);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", final);

        var healthCheck = Assert.Single(Arguments("HEALTHCHECK", finalStageOnly: true));
        Assert.Contains("http://localhost:8080/healthz", healthCheck);
    }

    [Fact]
    public void Container_StartsTheWebHost()
    {
        var entryPoint = Assert.Single(Arguments("ENTRYPOINT", finalStageOnly: true));

        Assert.Equal("""["dotnet", "Luigi.Web.dll"]""", entryPoint);
    }

    [Fact]
    public void Build_CopiesEveryProjectTheWebHostNeeds()
    {
        var copied = Arguments("COPY").Where(arguments => !arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();

        foreach (var project in ProjectsOf("Luigi.Web/Luigi.Web.csproj"))
        {
            var folder = Path.GetDirectoryName(project)!;
            Assert.Contains($"{project} {folder}/", copied);
            Assert.Contains($"{folder}/ {folder}/", copied);
        }

        Assert.Contains("Directory.Build.props Directory.Packages.props ./", copied);
    }

    [Fact]
    public void Build_CopiesOnlyFilesThatExist()
    {
        var sources = Arguments("COPY")
            .Where(arguments => !arguments.StartsWith("--", StringComparison.Ordinal))
            .SelectMany(arguments => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]);

        foreach (var source in sources)
        {
            Assert.True(Path.Exists(RepositoryFiles.PathOf(source)), $"The Dockerfile copies {source}, which does not exist.");
        }
    }

    [Fact]
    public void Build_InstallsNode_ForTheDashboardScripts_AndTheImageDoesNotShipIt()
    {
        var lastStage = _instructions.Select((item, index) => (item, index)).Last(pair => pair.item.Instruction == "FROM").index;
        var runs = _instructions.Select((item, index) => (item, index)).Where(pair => pair.item.Instruction == "RUN").ToList();

        Assert.Contains(runs, pair => pair.index < lastStage && pair.item.Arguments.Contains("nodejs") && pair.item.Arguments.Contains("npm"));
        Assert.DoesNotContain(runs, pair => pair.index > lastStage && pair.item.Arguments.Contains("nodejs"));
    }

    private IEnumerable<string> Arguments(string instruction, bool finalStageOnly = false)
    {
        var lastStage = _instructions.Select((item, index) => (item, index)).Last(pair => pair.item.Instruction == "FROM").index;
        return _instructions
            .Where((item, index) => item.Instruction == instruction && (!finalStageOnly || index >= lastStage))
            .Select(item => item.Arguments);
    }

    /// <summary>The instructions in order, with continuation lines joined and comments left out.</summary>
    private static List<(string Instruction, string Arguments)> Parse(string dockerfile)
    {
        var logicalLines = dockerfile.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'));
        return logicalLines
            .Select(line => line.Split(' ', 2))
            .Select(parts => (parts[0].ToUpperInvariant(), string.Join(' ', parts.ElementAtOrDefault(1)?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [])))
            .ToList();
    }

    /// <summary>A project and every project it references, directly or not, relative to the repository root.</summary>
    private static IEnumerable<string> ProjectsOf(string project)
    {
        var found = new List<string>();
        var pending = new Queue<string>([project]);
        while (pending.TryDequeue(out var next))
        {
            if (found.Contains(next))
            {
                continue;
            }

            found.Add(next);
            var folder = Path.GetDirectoryName(next)!;
            foreach (var reference in XDocument.Load(RepositoryFiles.PathOf(next)).Descendants("ProjectReference"))
            {
                var path = Path.GetRelativePath(RepositoryFiles.Root, Path.GetFullPath(
                    Path.Combine(RepositoryFiles.Root, folder, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
                pending.Enqueue(path.Replace('\\', '/'));
            }
        }

        return found;
    }
}
