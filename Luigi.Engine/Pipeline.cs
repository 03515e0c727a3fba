using System.ComponentModel;
using System.Reflection;

namespace Luigi.Engine;

/// <summary>
/// A named, triggerable set of root tasks. Its parameters (properties marked with
/// <see cref="ParameterAttribute"/>) form the schema shown by <c>list</c>, the API and the trigger form;
/// <see cref="Roots"/> turns them into tasks. The name is the class name; a
/// <see cref="DescriptionAttribute"/> on the class gives the description.
/// </summary>
public abstract class Pipeline
{
    /// <summary>The tasks the run must complete; everything they require comes along.</summary>
    public abstract IEnumerable<LuigiTask> Roots();

    /// <summary>The name of a pipeline type.</summary>
    public static string NameOf(Type type) => type.Name;

    /// <summary>The description of a pipeline type, from its <see cref="DescriptionAttribute"/>.</summary>
    public static string DescriptionOf(Type type) => type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
}
