using System.Reflection;
using Luigi.Engine;
using Luigi.Engine.Parameters;

namespace Luigi.Engine.Pipelines;

/// <summary>
/// The pipelines this host knows, by name (case-insensitive). Filled from assemblies: every public,
/// non-abstract <see cref="Pipeline"/> subclass with a parameterless constructor is one pipeline.
/// </summary>
public sealed class PipelineRegistry
{
    private readonly Dictionary<string, PipelineInfo> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Limits for every parameter of every pipeline, applied by <see cref="Create"/>.</summary>
    public ParameterBindingOptions BindingOptions { get; set; } = ParameterBindingOptions.Default;

    /// <summary>All pipelines, by name.</summary>
    public IReadOnlyList<PipelineInfo> All => _byName.Values.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Adds one pipeline type.</summary>
    /// <exception cref="InvalidOperationException">Another type already has that name.</exception>
    public PipelineRegistry Add(Type pipelineType)
    {
        if (!typeof(Pipeline).IsAssignableFrom(pipelineType) || pipelineType.IsAbstract)
        {
            throw new ArgumentException($"{pipelineType.FullName} is not a concrete Pipeline.", nameof(pipelineType));
        }

        var info = new PipelineInfo(pipelineType);
        if (_byName.TryGetValue(info.Name, out var existing) && existing.Type != pipelineType)
        {
            throw new InvalidOperationException(
                $"Two pipelines are named '{info.Name}': {existing.Type.FullName} and {pipelineType.FullName}.");
        }

        _byName[info.Name] = info;
        return this;
    }

    /// <summary>Adds every pipeline type of <paramref name="assembly"/>.</summary>
    public PipelineRegistry AddAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetExportedTypes())
        {
            if (typeof(Pipeline).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null)
            {
                Add(type);
            }
        }

        return this;
    }

    /// <summary>Finds a pipeline by name.</summary>
    public PipelineInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Finds a pipeline and binds parameters to it.
    /// </summary>
    /// <exception cref="UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="ParameterException">A parameter is unknown, malformed, missing or outside its limits.</exception>
    public Pipeline Create(string name, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var info = Find(name) ?? throw new UnknownPipelineException(name, All.Select(p => p.Name).ToArray());
        return info.Create(parameters, BindingOptions);
    }
}

/// <summary>A pipeline type with its name, description and parameter schema.</summary>
public sealed class PipelineInfo(Type type)
{
    /// <summary>The pipeline class.</summary>
    public Type Type { get; } = type;

    /// <summary>The name used to trigger it.</summary>
    public string Name { get; } = Pipeline.NameOf(type);

    /// <summary>What it does.</summary>
    public string Description { get; } = Pipeline.DescriptionOf(type);

    /// <summary>Its parameters.</summary>
    public IReadOnlyList<ParameterDescriptor> Parameters => ParameterSchema.For(Type).Parameters;

    /// <summary>An instance with the given parameter values, checked by <see cref="ParameterSchema.Bind"/>.</summary>
    public Pipeline Create(IEnumerable<KeyValuePair<string, string>> parameters, ParameterBindingOptions? options = null) =>
        (Pipeline)ParameterSchema.For(Type).Bind(parameters, options);
}

/// <summary>No pipeline has the requested name.</summary>
public sealed class UnknownPipelineException(string name, IReadOnlyList<string> known)
    : Exception($"Unknown pipeline '{ParameterLimits.Shorten(name)}'. Known pipelines: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}.")
{
    /// <summary>The name asked for.</summary>
    public string Name { get; } = name;
}
