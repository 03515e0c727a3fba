namespace Luigi.Web.Tests.Deployment;

/// <summary>Files of the repository the tests were built from, found from the test binaries upwards.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding <c>Luigi.Web.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    /// <summary>The <c>NAME=value</c> lines of a dotenv file such as <c>.env.example</c>.</summary>
    public static IReadOnlyDictionary<string, string> ReadEnvFile(string relativePath) =>
        File.ReadAllLines(PathOf(relativePath))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair.Length > 1 ? pair[1].Trim() : "");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Luigi.Web.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Luigi.Web.sln.");
    }
}
