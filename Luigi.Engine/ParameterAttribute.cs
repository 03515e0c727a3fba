namespace Luigi.Engine;

/// <summary>
/// Marks a property of a task or pipeline as a parameter: a typed, named input that can be given
/// as a string (command line, HTTP API, trigger form) and, when significant, is part of the task id.
/// </summary>
/// <remarks>
/// Supported types: string, int, long, bool, double, decimal, <see cref="DateOnly"/>,
/// <see cref="DateTime"/>, <see cref="TimeSpan"/>, enums, their nullable forms, and lists
/// (<see cref="IReadOnlyList{T}"/>, <see cref="List{T}"/> or arrays) of these. The default value is the
/// property's initial value. A parameter is required when <see cref="Required"/> is set or the property
/// has the C# <c>required</c> modifier.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ParameterAttribute : Attribute
{
    /// <summary>The name used on the command line and in the task id; defaults to the property name in camelCase.</summary>
    public string? Name { get; set; }

    /// <summary>Whether the value is part of the task id. Insignificant parameters (a delay, a path to a
    /// scratch folder) do not make two tasks different.</summary>
    public bool Significant { get; set; } = true;

    /// <summary>Whether a value must be given.</summary>
    public bool Required { get; set; }

    /// <summary>One line shown by <c>list</c>, the API and the trigger form.</summary>
    public string? Description { get; set; }
}
