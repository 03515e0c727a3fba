using System.Reflection;
using System.Runtime.Loader;

namespace Luigi.Web.Pipelines;

/// <summary>
/// The load context of one pipeline assembly, as .NET's plugin guidance has it: its dependencies are found through an
/// <see cref="AssemblyDependencyResolver"/>, which reads the assembly's <c>.deps.json</c> and picks the runtime-specific
/// (<c>runtimes/&lt;os&gt;/lib</c>) and native (<c>runtimes/&lt;rid&gt;/native</c>) assets for this machine. Whatever the
/// host can load itself (Luigi.Engine, the framework, the libraries the host ships) is the host's copy, so the plugin's
/// pipelines, loggers and services are the host's types; the plugin's own copy is used only for what the host lacks
/// (or has in an older version).
/// </summary>
internal sealed class PipelineLoadContext(string assemblyPath) : AssemblyLoadContext($"Luigi pipelines {Path.GetFileName(assemblyPath)}")
{
    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (FromHost(assemblyName) is { } shared)
        {
            return shared;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static Assembly? FromHost(AssemblyName assemblyName)
    {
        try
        {
            return Default.LoadFromAssemblyName(assemblyName);
        }
        catch (FileNotFoundException)
        {
            return null; // not the host's: the plugin's own
        }
        catch (FileLoadException)
        {
            return null; // the host has an older version: the plugin's own
        }
    }
}
