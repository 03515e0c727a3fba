namespace Luigi.Web.Tests.Pipelines;

/// <summary>
/// The team assembly of the tests: samples/Acme.Pipelines, which this project builds without referencing it and
/// copies, with Acme.Inventory.dll it depends on, to team-pipelines/ beside the tests (see the .csproj).
/// </summary>
internal static class TeamPipelines
{
    public static string AssemblyPath { get; } = Path.Combine(AppContext.BaseDirectory, "team-pipelines", "Acme.Pipelines.dll");

    /// <summary>The environment that lists <paramref name="path"/> as the one pipeline assembly.</summary>
    public static Dictionary<string, string> Listing(string path) => new() { ["Luigi__Pipelines__Assemblies__0"] = path };

    /// <summary>The lines that <c>list</c> printed for one pipeline: its name line and its parameters.</summary>
    public static string ListingOf(string output, string pipeline)
    {
        var blocks = output.ReplaceLineEndings("\n").Split("\n\n");
        return Assert.Single(blocks, block => block.StartsWith(pipeline + "  ", StringComparison.Ordinal));
    }
}
