namespace Luigi.Engine.Tests;

/// <summary>
/// What a pipeline project gets by referencing Luigi.Engine: the task model and the in-memory engine, and no database
/// driver (the store is Luigi.Storage). Luigi.Web.Tests' Deployment/EnginePackageTests check the packed package itself.
/// </summary>
public sealed class EngineAssemblyTests
{
    [Fact]
    public void Engine_ReferencesNoDatabaseDriver()
    {
        var referenced = typeof(LuigiTask).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Contains("Microsoft.Extensions.Logging.Abstractions", referenced); // the list is real: what the engine does use is there
        Assert.DoesNotContain(referenced, name => name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            || name.StartsWith("Npgsql", StringComparison.Ordinal) || name.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal)
            || name.StartsWith("SQLitePCLRaw", StringComparison.Ordinal));
    }
}
