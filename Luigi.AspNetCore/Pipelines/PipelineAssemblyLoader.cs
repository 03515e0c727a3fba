using System.Collections.Concurrent;
using System.Reflection;
using Luigi.Engine;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Pipelines;

/// <summary>
/// A team's pipelines from its own assemblies, listed in the setting <c>Luigi:Pipelines:Assemblies</c> (paths of
/// .dll files; relative paths start at the web host's content root, or the current directory on the command
/// line). Each assembly goes into a load context of its own that finds its dependencies through its <c>.deps.json</c>
/// and shares the host's Luigi.Engine and framework (<see cref="PipelineLoadContext"/>).
/// </summary>
public static class PipelineAssemblyLoader
{
    /// <summary>The setting that lists the assemblies (<c>Luigi__Pipelines__Assemblies__0</c> in the environment).</summary>
    public const string Setting = "Luigi:Pipelines:Assemblies";

    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds the pipelines of every assembly listed in <see cref="Setting"/> to <paramref name="registry"/>.
    /// </summary>
    /// <exception cref="PipelineAssemblyException">
    /// A listed file is missing or is no loadable assembly, or one of its pipelines has a name already taken.
    /// The message names the path and the setting.
    /// </exception>
    public static PipelineRegistry AddConfiguredAssemblies(this PipelineRegistry registry, IConfiguration configuration, string baseDirectory)
    {
        foreach (var (listed, assembly) in LoadConfigured(configuration, baseDirectory))
        {
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
    /// Lets every assembly listed in <see cref="Setting"/> register the services its pipelines and tasks need: each public
    /// <see cref="IPipelineServices"/> class of the assembly is created and called, before the host's container is built.
    /// </summary>
    /// <exception cref="PipelineAssemblyException">A listed assembly cannot be loaded, or its registration throws; the message
    /// names the path, the setting and the class.</exception>
    public static IServiceCollection AddConfiguredPipelineServices(this IServiceCollection services, IConfiguration configuration, string baseDirectory)
    {
        foreach (var (listed, assembly) in LoadConfigured(configuration, baseDirectory))
        {
            foreach (var type in assembly.GetExportedTypes().Where(t => typeof(IPipelineServices).IsAssignableFrom(t) && !t.IsAbstract))
            {
                try
                {
                    ((IPipelineServices)Activator.CreateInstance(type)!).ConfigureServices(services, configuration);
                }
                catch (Exception exception)
                {
                    var error = exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
                    throw new PipelineAssemblyException($"{listed} could not register its services ({type.FullName}): {error.Message}", error);
                }
            }
        }

        return services;
    }

    /// <summary>The assemblies listed in <see cref="Setting"/>, loaded, each with the words that name it in messages.</summary>
    private static IEnumerable<(string Listed, Assembly Assembly)> LoadConfigured(IConfiguration configuration, string baseDirectory)
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
            catch (Exception exception) when (exception is IOException or BadImageFormatException or InvalidOperationException)
            {
                throw new PipelineAssemblyException($"{listed} could not be loaded: {exception.Message}", exception);
            }

            yield return (listed, assembly);
        }
    }

    /// <summary>
    /// Loads a pipeline assembly into a load context of its own (<see cref="PipelineLoadContext"/>: dependencies from its
    /// <c>.deps.json</c>, runtime-specific and native assets included; the host's own assemblies shared), once per path.
    /// </summary>
    public static Assembly Load(string path) =>
        Loaded.GetOrAdd(Path.GetFullPath(path), static fullPath => new PipelineLoadContext(fullPath).LoadFromAssemblyPath(fullPath));

    /// <summary>The paths in <see cref="Setting"/>, each with the full name of its setting: an array, or one path.</summary>
    private static IEnumerable<(string Setting, string? Path)> ConfiguredPaths(IConfiguration configuration)
    {
        var section = configuration.GetSection(Setting);
        var items = section.GetChildren().Select(item => (item.Path, item.Value)).ToList();
        return items.Count == 0 && !string.IsNullOrEmpty(section.Value) ? [(section.Path, section.Value)] : items;
    }

}
