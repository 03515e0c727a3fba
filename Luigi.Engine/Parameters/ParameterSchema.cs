using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Luigi.Engine.Parameters;

/// <summary>
/// The parameters of one task or pipeline type, found once by reflection and cached. Binds string
/// values to a new instance and formats the significant ones into a task id.
/// </summary>
public sealed class ParameterSchema
{
    private static readonly ConcurrentDictionary<Type, ParameterSchema> Cache = new();

    private readonly Dictionary<string, ParameterDescriptor> _byName;

    private ParameterSchema(Type type)
    {
        Type = type;
        var prototype = type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null ? null : Activator.CreateInstance(type);
        var list = new List<ParameterDescriptor>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var attribute = property.GetCustomAttribute<ParameterAttribute>(inherit: true);
            if (attribute is null)
            {
                continue;
            }

            ParameterValues.EnsureSupported(property);
            var required = attribute.Required || property.IsDefined(typeof(RequiredMemberAttribute), inherit: true);
            var defaultValue = prototype is null || required ? null : property.GetValue(prototype);
            list.Add(new ParameterDescriptor(property, attribute, required, defaultValue));
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        Parameters = list;
        Significant = list.Where(p => p.Significant).ToArray();
        _byName = list.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The type described.</summary>
    public Type Type { get; }

    /// <summary>All parameters, ordered by name.</summary>
    public IReadOnlyList<ParameterDescriptor> Parameters { get; }

    /// <summary>The parameters that make up the task id, ordered by name.</summary>
    public IReadOnlyList<ParameterDescriptor> Significant { get; }

    /// <summary>The schema of <paramref name="type"/>.</summary>
    public static ParameterSchema For(Type type) => Cache.GetOrAdd(type, static t => new ParameterSchema(t));

    /// <summary>Looks a parameter up by name, ignoring case.</summary>
    public ParameterDescriptor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Creates an instance of the type with the given string values: the one check every way of asking for a run goes
    /// through (the API, the trigger form, the command line, re-runs), before anything is stored. Every problem is
    /// collected and thrown together as a <see cref="ParameterException"/>: unknown names (with the valid ones),
    /// malformed values (with the expected form), values outside the parameter's declared <see cref="ParameterLimits"/>
    /// or longer than <see cref="ParameterBindingOptions.MaxTextLength"/> (with the limit), text that is not valid
    /// Unicode or holds a NUL, and missing required parameters.
    /// </summary>
    /// <param name="values">The values by name, as typed.</param>
    /// <param name="options">Limits for every parameter; <see cref="ParameterBindingOptions.Default"/> when null.</param>
    public object Bind(IEnumerable<KeyValuePair<string, string>> values, ParameterBindingOptions? options = null) => Bind(values, options, create: null);

    /// <summary>As <see cref="Bind(IEnumerable{KeyValuePair{string, string}}, ParameterBindingOptions?)"/>, creating the
    /// instance with <paramref name="create"/> (a pipeline activated through dependency injection) when it is given.</summary>
    /// <param name="values">The values by name, as typed.</param>
    /// <param name="options">Limits for every parameter; <see cref="ParameterBindingOptions.Default"/> when null.</param>
    /// <param name="create">Makes the instance; a public parameterless constructor when null.</param>
    /// <param name="requireAll">False to bind only some values (configured defaults), leaving required parameters unset.</param>
    internal object Bind(IEnumerable<KeyValuePair<string, string>> values, ParameterBindingOptions? options, Func<object>? create, bool requireAll = true)
    {
        var maxTextLength = (options ?? ParameterBindingOptions.Default).MaxTextLength;
        var errors = new List<ParameterError>();
        var parsed = new List<(ParameterDescriptor Descriptor, object? Value)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, raw) in values)
        {
            var descriptor = Find(name);
            if (descriptor is null)
            {
                var valid = Parameters.Count == 0 ? "it takes no parameters" : "valid parameters: " + string.Join(", ", Parameters.Select(p => p.Name));
                var shown = ParameterLimits.Shorten(name);
                errors.Add(new ParameterError(shown, $"Unknown parameter '{shown}' for {Type.Name}; {valid}."));
                continue;
            }

            if (!seen.Add(descriptor.Name))
            {
                errors.Add(new ParameterError(descriptor.Name, $"Parameter '{descriptor.Name}' is given more than once."));
                continue;
            }

            if (ValueProblem(descriptor, raw, maxTextLength) is { } error)
            {
                errors.Add(error);
                continue;
            }

            if (!ParameterValues.TryParse(descriptor.Type, raw, out var value, out var problem))
            {
                errors.Add(new ParameterError(descriptor.Name,
                    $"Parameter '{descriptor.Name}' expects {descriptor.ExpectedForm}; got '{ParameterLimits.Shorten(raw)}'{problem}."));
            }
            else if (descriptor.Limits.Check(raw, value, maxTextLength) is { } outside)
            {
                errors.Add(new ParameterError(descriptor.Name, $"Parameter '{descriptor.Name}' {outside}.") { Limit = descriptor.Limits.Describe(maxTextLength) });
            }
            else
            {
                parsed.Add((descriptor, value));
            }
        }

        foreach (var missing in Parameters.Where(p => requireAll && p.Required && !seen.Contains(p.Name)))
        {
            errors.Add(new ParameterError(missing.Name, $"Parameter '{missing.Name}' is required ({missing.ExpectedForm})."));
        }

        if (errors.Count > 0)
        {
            throw new ParameterException(errors);
        }

        if (create is null && Type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new InvalidOperationException($"{Type.Name} needs a public parameterless constructor to be created from parameters.");
        }

        var instance = create?.Invoke() ?? Activator.CreateInstance(Type)!;
        foreach (var (descriptor, value) in parsed)
        {
            descriptor.Property.SetValue(instance, value);
        }

        return instance;
    }

    /// <summary>What makes a value unusable whatever its type: too long to parse, a NUL, a lone surrogate.</summary>
    private static ParameterError? ValueProblem(ParameterDescriptor descriptor, string raw, int maxTextLength)
    {
        var maxLength = descriptor.Limits.MaxLength ?? maxTextLength;
        if (raw.Length > maxLength)
        {
            return new ParameterError(descriptor.Name, $"Parameter '{descriptor.Name}' is at most {maxLength} characters long; got {raw.Length}.")
            {
                Limit = descriptor.Limits.Describe(maxTextLength),
            };
        }

        if (raw.Contains('\0', StringComparison.Ordinal))
        {
            // No store keeps it (PostgreSQL refuses NUL in text), and no one means it.
            return new ParameterError(descriptor.Name, $"Parameter '{descriptor.Name}' contains a NUL character (\\0), which no value may contain.");
        }

        // Neither UTF-8 nor a database can hold half of a surrogate pair.
        return DataPath.HasLoneSurrogate(raw)
            ? new ParameterError(descriptor.Name, $"Parameter '{descriptor.Name}' is not valid Unicode (it holds half of a surrogate pair).")
            : null;
    }

    /// <summary>The values of every parameter of <paramref name="instance"/>, formatted, ordered by name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Describe(object instance) =>
        Parameters.Select(p => new KeyValuePair<string, string>(p.Name, ParameterValues.Format(p.GetValue(instance)))).ToArray();

    /// <summary>
    /// The task id: the family, then the significant parameters in name order, e.g.
    /// <c>Aggregate(date=2026-11-26, region=eu)</c>; just the family when there are none.
    /// </summary>
    public string FormatId(string family, object instance)
    {
        if (Significant.Count == 0)
        {
            return family;
        }

        var builder = new System.Text.StringBuilder(family.Length + 16 * Significant.Count);
        builder.Append(family).Append('(');
        for (var i = 0; i < Significant.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            var descriptor = Significant[i];
            builder.Append(descriptor.Name).Append('=');
            ParameterValues.FormatInto(builder, descriptor.GetValue(instance), forTaskId: true);
        }

        return builder.Append(')').ToString();
    }
}
