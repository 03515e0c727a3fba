using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Pipelines;

/// <summary>
/// A team's pipelines from its own assemblies, listed in the setting <c>Luigi:Pipelines:Assemblies</c> (paths of
/// .dll files; relative paths start at the web host's content root, or the current directory on the command
/// line). Each assembly goes into the default load context, so that its tasks share the host's Luigi.Engine
/// types; the assemblies it depends on are looked for in its own folder.
/// </summary>
public static class PipelineAssemblyLoader
{
    /// <summary>The setting that lists the assemblies (<c>Luigi__Pipelines__Assemblies__0</c> in the environment).</summary>
    public const string Setting = "Luigi:Pipelines:Assemblies";

    private static readonly ConcurrentDictionary<string, bool> Folders = new(StringComparer.Ordinal);
    private static readonly Lock LoadLock = new();
    private static bool _resolverInstalled;

    /// <summary>
    /// Adds the pipelines of every assembly listed in <see cref="Setting"/> to <paramref name="registry"/>.
    /// </summary>
    /// <exception cref="PipelineAssemblyException">
    /// A listed file is missing or is no loadable assembly, or one of its pipelines has a name already taken.
    /// The message names the path and the setting.
    /// </exception>
    public static PipelineRegistry AddConfiguredAssemblies(this PipelineRegistry registry, IConfiguration configuration, string baseDirectory)
    {
        foreach (var (setting, path) in ConfiguredPaths(configuration))
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new PipelineAssemblyException($"The setting {setting} is empty; it should be the path of a .dll file.");
            }

            var fullPath = Path.GetFullPath(path, baseDirectory);
            var listed = $"The pipeline assembly '{path}' listed in {setting}";
            if (!File.Exists(fullPath))
            {
                var where = fullPath == path ? "" : $" (looked for {fullPath})";
                throw new PipelineAssemblyException($"{listed} does not exist{where}.");
            }

            Assembly assembly;
            try
            {
                assembly = Load(fullPath);
            }
            catch (Exception exception) when (exception is IOException or BadImageFormatException)
            {
                throw new PipelineAssemblyException($"{listed} could not be loaded: {exception.Message}", exception);
            }

            try
            {
                registry.AddAssembly(assembly);
            }
            catch (Exception exception)
            {
                throw new PipelineAssemblyException($"{listed} could not be registered: {exception.Message}", exception);
            }
        }

        return registry;
    }

    /// <summary>
    /// Loads an assembly into the default load context (once per path), and from then on resolves the
    /// assemblies it depends on from its folder when the host has no copy of its own.
    /// </summary>
    public static Assembly Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        lock (LoadLock)
        {
            if (!_resolverInstalled)
            {
                AssemblyLoadContext.Default.Resolving += ResolveFromPipelineFolders;
                _resolverInstalled = true;
            }

            Folders.TryAdd(Path.GetDirectoryName(fullPath)!, true);
            return AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && a.Location == fullPath)
                ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
        }
    }

    /// <summary>The paths in <see cref="Setting"/>, each with the full name of its setting: an array, or one path.</summary>
    private static IEnumerable<(string Setting, string? Path)> ConfiguredPaths(IConfiguration configuration)
    {
        var section = configuration.GetSection(Setting);
        var items = section.GetChildren().Select(item => (item.Path, item.Value)).ToList();
        return items.Count == 0 && !string.IsNullOrEmpty(section.Value) ? [(section.Path, section.Value)] : items;
    }

    private static Assembly? ResolveFromPipelineFolders(AssemblyLoadContext context, AssemblyName name)
    {
        foreach (var folder in Folders.Keys)
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            if (File.Exists(candidate))
            {
                return context.LoadFromAssemblyPath(candidate);
            }
        }

        return null;
    }
}
