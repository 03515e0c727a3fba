using System.Text.Json;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Api;

/// <summary>A pipeline and its parameter schema.</summary>
public sealed record PipelineDto(string Name, string Description, IReadOnlyList<ParameterDto> Parameters)
{
    public static PipelineDto From(PipelineInfo info, int maxTextLength = ParameterBindingOptions.DefaultMaxTextLength) =>
        new(info.Name, info.Description, info.Parameters.Select(p => ParameterDto.From(p, maxTextLength)).ToList());
}

/// <summary>One parameter: how to fill it in.</summary>
/// <param name="Name">The name to give it under.</param>
/// <param name="Kind">String, Integer, Boolean, Number, Date, DateTime, Duration, Enum or List.</param>
/// <param name="ExpectedForm">A human description of a valid value.</param>
/// <param name="Required">Must be given.</param>
/// <param name="Significant">Part of the task ids.</param>
/// <param name="Default">The default as it would be typed; null when required or without default.</param>
/// <param name="Description">One line of help.</param>
/// <param name="Choices">Valid values of an enum parameter, or the allowed values it declares.</param>
/// <param name="Minimum">The smallest value (of each item of a list), as typed; null when unbounded.</param>
/// <param name="Maximum">The largest value (of each item of a list), as typed; null when unbounded.</param>
/// <param name="MaxLength">Most characters of the value as typed (every value has a maximum).</param>
/// <param name="Pattern">A regular expression the whole value (each item) must match; null when none.</param>
/// <param name="Limits">Every limit in words, e.g. "from 0 to 600000".</param>
public sealed record ParameterDto(
    string Name, ParameterKind Kind, string ExpectedForm, bool Required, bool Significant, string? Default, string? Description, IReadOnlyList<string> Choices,
    string? Minimum = null, string? Maximum = null, int? MaxLength = null, string? Pattern = null, string? Limits = null)
{
    public static ParameterDto From(ParameterDescriptor p, int maxTextLength = ParameterBindingOptions.DefaultMaxTextLength) =>
        new(p.Name, p.Kind, p.ExpectedForm, p.Required, p.Significant, p.DefaultText, p.Description,
            p.Limits.AllowedValues.Count > 0 ? p.Limits.AllowedValues : p.Choices,
            p.Limits.MinimumText, p.Limits.MaximumText, p.Limits.MaxLength ?? maxTextLength, p.Limits.Pattern, p.Limits.Describe(maxTextLength));
}

/// <summary>Body of a trigger: parameter values by name. Strings are parsed as on the command line; numbers,
/// booleans and arrays are accepted too.</summary>
public sealed record TriggerRequest(Dictionary<string, JsonElement>? Parameters)
{
    /// <summary>The values as text, as the command line gives them.</summary>
    /// <exception cref="ParameterException">A value is text that is not valid UTF-8 or holds half of a surrogate pair.</exception>
    public IReadOnlyDictionary<string, string> ParametersAsText()
    {
        var values = new Dictionary<string, string>();
        var errors = new List<ParameterError>();
        foreach (var (name, value) in (Parameters ?? []).Where(p => p.Value.ValueKind != JsonValueKind.Null))
        {
            try
            {
                values[name] = AsText(value);
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json keeps a string's bytes as they came and refuses to turn invalid ones into text.
                errors.Add(new ParameterError(name, $"Parameter '{name}' is not valid text: invalid UTF-8, or half of a surrogate pair (\\uD800 alone)."));
            }
        }

        return errors.Count > 0 ? throw new ParameterException(errors) : values;
    }

    private static string AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(AsText)),
        _ => value.GetRawText(),
    };
}

/// <summary>A run was accepted: where to follow it.</summary>
public sealed record RunAccepted(Guid Id, string Url);

/// <summary>Body of a re-run.</summary>
/// <param name="Scope">All (default): the whole pipeline, skipping complete tasks; FailedOnly; TaskAndDownstream (with TaskId).</param>
/// <param name="TaskId">For TaskAndDownstream: the task to force, with everything downstream of it.</param>
public sealed record RerunRequest(RerunScope Scope = RerunScope.All, string? TaskId = null)
{
    /// <summary>Longest task id accepted.</summary>
    public const int MaxTaskIdLength = 8_192;
}

/// <summary>A cancel was accepted: the run's state now (Cancelled, or Cancelling while running tasks stop).</summary>
public sealed record CancelAccepted(Guid Id, RunState State);
