using System.Reflection;

namespace Luigi.Engine.Parameters;

/// <summary>
/// One parameter of a task or pipeline type, as the command line, the API and the trigger form see it.
/// </summary>
public sealed class ParameterDescriptor
{
    internal ParameterDescriptor(PropertyInfo property, ParameterAttribute attribute, bool required, object? defaultValue)
    {
        Property = property;
        Name = attribute.Name ?? ToCamelCase(property.Name);
        Significant = attribute.Significant;
        Required = required;
        Description = attribute.Description;
        DefaultValue = defaultValue;
        Kind = ParameterValues.KindOf(property.PropertyType);
        Limits = ParameterLimits.For(property);
    }

    private ParameterDescriptor(ParameterDescriptor source, object? defaultValue)
    {
        Property = source.Property;
        Name = source.Name;
        Significant = source.Significant;
        Required = false;
        Description = source.Description;
        DefaultValue = defaultValue;
        Kind = source.Kind;
        Limits = source.Limits;
    }

    /// <summary>The same parameter with another default (a configured one, or one read from an instance activated through
    /// dependency injection); a parameter with a default is never required.</summary>
    internal ParameterDescriptor WithDefault(object? defaultValue) => new(this, defaultValue);

    /// <summary>The name on the command line and in the task id.</summary>
    public string Name { get; }

    /// <summary>The C# property behind it.</summary>
    public PropertyInfo Property { get; }

    /// <summary>The property's type.</summary>
    public Type Type => Property.PropertyType;

    /// <summary>What form a value takes.</summary>
    public ParameterKind Kind { get; }

    /// <summary>Part of the task id.</summary>
    public bool Significant { get; }

    /// <summary>Must be given.</summary>
    public bool Required { get; }

    /// <summary>One line of help.</summary>
    public string? Description { get; }

    /// <summary>The value of a freshly constructed instance.</summary>
    public object? DefaultValue { get; }

    /// <summary>The default in the form a user would type it, or null when there is none.</summary>
    public string? DefaultText => Required || DefaultValue is null ? null : ParameterValues.Format(DefaultValue);

    /// <summary>Names of the enum's members, for enum parameters (and lists of enums).</summary>
    public IReadOnlyList<string> Choices => ParameterValues.ChoicesOf(Type);

    /// <summary>The values it accepts beyond its type: ranges, lengths, patterns, allowed values.</summary>
    public ParameterLimits Limits { get; }

    /// <summary>A short human description of the expected form, used in error messages and help.</summary>
    public string ExpectedForm => ParameterValues.DescribeForm(Type);

    internal object? GetValue(object instance) => Property.GetValue(instance);

    private static string ToCamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>The form a parameter's value takes, for building forms and schemas.</summary>
public enum ParameterKind
{
    String,
    Integer,
    Boolean,
    Number,
    Date,
    DateTime,
    Duration,
    Enum,
    List,
    Path,
}
