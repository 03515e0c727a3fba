using System.Globalization;
using Luigi.Engine.Parameters;

namespace Luigi.Web.Dashboard;

/// <summary>
/// One field of the trigger form: the parameter, what the user typed (prefilled with the default) and the
/// problem found with it. Values are kept as text and parsed by the engine, as for the API and the command line.
/// </summary>
public sealed class ParameterField
{
    /// <summary>A field for <paramref name="parameter"/>, holding its default.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="maxTextLength">The host's maximum length of a value (<see cref="ParameterBindingOptions.MaxTextLength"/>).</param>
    public ParameterField(ParameterDescriptor parameter, int maxTextLength = ParameterBindingOptions.DefaultMaxTextLength)
    {
        Parameter = parameter;
        MaxLength = parameter.Limits.MaxLength ?? maxTextLength;
        Limits = parameter.Limits.Describe(maxTextLength);
        Default = ForInput(parameter);
        Text = Default ?? "";
        Checked = parameter.Kind == ParameterKind.Boolean && bool.TryParse(Text, out var on) && on;
    }

    public ParameterDescriptor Parameter { get; }

    public string Name => Parameter.Name;

    /// <summary>Most characters the value may have.</summary>
    public int MaxLength { get; }

    /// <summary>The parameter's limits in words ("from 0 to 600000"); empty when it has none.</summary>
    public string Limits { get; }

    /// <summary>The smallest and largest value for the input's <c>min</c> and <c>max</c> (numbers and dates); null when unbounded.</summary>
    public string? Min => Parameter.Kind is ParameterKind.Integer or ParameterKind.Number or ParameterKind.Date ? Parameter.Limits.MinimumText : null;

    /// <inheritdoc cref="Min"/>
    public string? Max => Parameter.Kind is ParameterKind.Integer or ParameterKind.Number or ParameterKind.Date ? Parameter.Limits.MaximumText : null;

    /// <summary>The default in the form the input takes; null when there is none.</summary>
    public string? Default { get; }

    /// <summary>What the input holds (all kinds but Boolean).</summary>
    public string Text { get; set; }

    /// <summary>What the checkbox holds (Boolean).</summary>
    public bool Checked { get; set; }

    /// <summary>The problem with the value, shown next to the field; null when none.</summary>
    public string? Error { get; set; }

    /// <summary>The HTML input type for the parameter's kind.</summary>
    public string InputType => Parameter.Kind switch
    {
        ParameterKind.Integer or ParameterKind.Number => "number",
        ParameterKind.Date => "date",
        ParameterKind.DateTime => "datetime-local",
        ParameterKind.Boolean => "checkbox",
        _ => "text",
    };

    /// <summary>The value to send, or null to leave the parameter out (its default applies).</summary>
    public string? Value()
    {
        if (Parameter.Kind == ParameterKind.Boolean)
        {
            var value = Checked ? "true" : "false";
            return Parameter.Required || !string.Equals(value, Default ?? "false", StringComparison.OrdinalIgnoreCase) ? value : null;
        }

        return string.IsNullOrWhiteSpace(Text) ? null : Parameter.Kind == ParameterKind.String ? Text : Text.Trim();
    }

    private static string? ForInput(ParameterDescriptor parameter) =>
        parameter.Kind == ParameterKind.DateTime && parameter.DefaultValue is DateTime at
            ? at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : parameter.DefaultText;
}
