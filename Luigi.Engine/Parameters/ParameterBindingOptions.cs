namespace Luigi.Engine.Parameters;

/// <summary>
/// Limits that apply to every parameter when values are bound (<see cref="ParameterSchema.Bind(IEnumerable{KeyValuePair{string, string}}, ParameterBindingOptions?)"/>),
/// whatever the pipeline declares. Set under <c>Luigi:Parameters</c> in the web host.
/// </summary>
public sealed class ParameterBindingOptions
{
    /// <summary>The default: 4,096 characters per value.</summary>
    public const int DefaultMaxTextLength = 4_096;

    /// <summary>The options used when none are given.</summary>
    public static ParameterBindingOptions Default { get; } = new();

    /// <summary>
    /// Most characters of any value as typed (a list counts as the whole comma-separated text), unless its parameter
    /// declares its own maximum length (<c>[StringLength]</c>, <c>[MaxLength]</c>). Values are stored with every run and
    /// read back with it, so one huge value costs every reader.
    /// </summary>
    public int MaxTextLength { get; set; } = DefaultMaxTextLength;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (MaxTextLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTextLength), MaxTextLength, "Luigi:Parameters:MaxTextLength must be at least 1.");
        }
    }
}
