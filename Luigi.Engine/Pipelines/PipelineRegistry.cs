using System.Reflection;
using Luigi.Engine;
using Luigi.Engine.Parameters;

namespace Luigi.Engine.Pipelines;

/// <summary>
/// The pipelines this host knows, by name (case-insensitive), and the services they are made with. Filled from
/// assemblies: every public, non-abstract <see cref="Pipeline"/> subclass with a public constructor is one pipeline;
/// its constructor may take services (see <see cref="Services"/>).
/// </summary>
public sealed class PipelineRegistry
{
    private readonly Dictionary<string, PipelineInfo> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registry whose pipelines and tasks get no services.</summary>
    public PipelineRegistry()
        : this(null)
    {
    }

    /// <summary>A registry whose pipelines are created with <paramref name="services"/> and whose tasks' attempts each get
    /// a scope of them (<see cref="TaskContext.Services"/>).</summary>
    public PipelineRegistry(IServiceProvider? services)
    {
        Services = services ?? PipelineActivation.NoServices;
    }

    /// <summary>What pipelines' constructors and tasks' attempts get their services from.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Limits for every parameter of every pipeline, applied by <see cref="Create"/>.</summary>
    public ParameterBindingOptions BindingOptions { get; set; } = ParameterBindingOptions.Default;

    /// <summary>All pipelines, by name.</summary>
    public IReadOnlyList<PipelineInfo> All => _byName.Values.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Adds one pipeline type.</summary>
    /// <exception cref="InvalidOperationException">Another type already has that name.</exception>
    /// <exception cref="PipelineActivationException">Its constructor needs a service that is not registered.</exception>
    public PipelineRegistry Add(Type pipelineType)
    {
        if (!typeof(Pipeline).IsAssignableFrom(pipelineType) || pipelineType.IsAbstract)
        {
            throw new ArgumentException($"{pipelineType.FullName} is not a concrete Pipeline.", nameof(pipelineType));
        }

        var info = new PipelineInfo(pipelineType, Services, NoDefaults);
        if (_byName.TryGetValue(info.Name, out var existing) && existing.Type != pipelineType)
        {
            throw new InvalidOperationException(
                $"Two pipelines are named '{info.Name}': {existing.Type.FullName} and {pipelineType.FullName}. " +
                $"They come from the assemblies {AssemblyOf(existing.Type)} and {AssemblyOf(pipelineType)}.");
        }

        PipelineActivation.EnsureActivatable(pipelineType, Services);
        _byName[info.Name] = info;
        return this;
    }

    /// <summary>Adds every pipeline type of <paramref name="assembly"/>.</summary>
    public PipelineRegistry AddAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetExportedTypes())
        {
            if (typeof(Pipeline).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructors().Length > 0)
            {
                Add(type);
            }
        }

        return this;
    }

    /// <summary>
    /// Sets the defaults of some parameters of one pipeline (from configuration), in the form a user types them: they
    /// replace the class's own defaults wherever parameters are shown and fill the parameters a trigger leaves out; a
    /// required parameter with a configured default is no longer required.
    /// </summary>
    /// <exception cref="UnknownPipelineException">No pipeline has that name.</exception>
    /// <exception cref="ParameterException">A name is no parameter of the pipeline, or a value is malformed or outside its limits.</exception>
    public PipelineRegistry SetDefaults(string pipeline, IReadOnlyDictionary<string, string> defaults)
    {
        var info = Find(pipeline) ?? throw new UnknownPipelineException(pipeline, All.Select(p => p.Name).ToArray());
        _byName[info.Name] = new PipelineInfo(info.Type, Services, defaults, BindingOptions);
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

    private static readonly IReadOnlyDictionary<string, string> NoDefaults = new Dictionary<string, string>();

    private static string AssemblyOf(Type type) => string.IsNullOrEmpty(type.Assembly.Location) ? type.Assembly.GetName().Name! : type.Assembly.Location;
}

/// <summary>A pipeline type with its name, description and parameter schema.</summary>
public sealed class PipelineInfo
{
    private readonly IServiceProvider _services;
    private readonly IReadOnlyDictionary<string, string> _defaults;
    private readonly Lazy<IReadOnlyList<ParameterDescriptor>> _parameters;

    /// <summary>A pipeline with a public parameterless constructor and the defaults of its class.</summary>
    public PipelineInfo(Type type)
        : this(type, null, new Dictionary<string, string>())
    {
    }

    internal PipelineInfo(Type type, IServiceProvider? services, IReadOnlyDictionary<string, string> defaults, ParameterBindingOptions? options = null)
    {
        Type = type;
        Name = Pipeline.NameOf(type);
        Description = Pipeline.DescriptionOf(type);
        _services = services ?? PipelineActivation.NoServices;
        _defaults = defaults;
        var configured = defaults.Count == 0 ? null : ParameterSchema.For(type).Bind(defaults, options, Activate, requireAll: false);
        _parameters = new(() => Describe(configured));
    }

    /// <summary>The pipeline class.</summary>
    public Type Type { get; }

    /// <summary>The name used to trigger it.</summary>
    public string Name { get; }

    /// <summary>What it does.</summary>
    public string Description { get; }

    /// <summary>Its parameters, with their defaults (configured ones first).</summary>
    public IReadOnlyList<ParameterDescriptor> Parameters => _parameters.Value;

    /// <summary>An instance with the given parameter values (and the configured defaults of those not given), checked by
    /// <see cref="ParameterSchema.Bind(IEnumerable{KeyValuePair{string, string}}, ParameterBindingOptions?)"/>.</summary>
    public Pipeline Create(IEnumerable<KeyValuePair<string, string>> parameters, ParameterBindingOptions? options = null) =>
        (Pipeline)ParameterSchema.For(Type).Bind(WithConfiguredDefaults(parameters), options, Activate);

    /// <summary>The given values and, for the parameters not given, their configured defaults (by their schema names): what a
    /// run records, so that it shows and re-runs with the values it ran with.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> WithConfiguredDefaults(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var given = parameters.ToList();
        if (_defaults.Count > 0)
        {
            var schema = ParameterSchema.For(Type);
            var named = given.Select(p => schema.Find(p.Key)?.Name ?? p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            given.AddRange(_defaults.Where(d => !named.Contains(schema.Find(d.Key)!.Name)).Select(d => KeyValuePair.Create(schema.Find(d.Key)!.Name, d.Value)));
        }

        return given;
    }

    private object Activate() => PipelineActivation.Create(Type, _services);

    /// <summary>The schema's parameters; their defaults read from <paramref name="configured"/> where configured, and from an
    /// activated instance when the class cannot be made without services (the schema then knows no defaults).</summary>
    private IReadOnlyList<ParameterDescriptor> Describe(object? configured)
    {
        var schema = ParameterSchema.For(Type);
        var prototype = Type.GetConstructor(Type.EmptyTypes) is null ? Activate() : null;
        return schema.Parameters.Select(p =>
            configured is not null && _defaults.Keys.Any(k => string.Equals(schema.Find(k)?.Name, p.Name, StringComparison.Ordinal))
                ? p.WithDefault(p.Property.GetValue(configured))
                : prototype is not null && !p.Required ? p.WithDefault(p.Property.GetValue(prototype)) : p).ToArray();
    }
}

/// <summary>No pipeline has the requested name.</summary>
public sealed class UnknownPipelineException(string name, IReadOnlyList<string> known)
    : Exception($"Unknown pipeline '{ParameterLimits.Shorten(name)}'. Known pipelines: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}.")
{
    /// <summary>The name asked for.</summary>
    public string Name { get; } = name;
}
