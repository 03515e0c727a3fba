namespace Luigi.Engine.Parameters;

/// <summary>
/// One or more parameter values were unknown, malformed or missing. <see cref="Errors"/> names each
/// parameter and what was expected, so the command line, the API (400) and the trigger form can show
/// every problem at once.
/// </summary>
public sealed class ParameterException(IReadOnlyList<ParameterError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.Message)))
{
    /// <summary>Each problem found.</summary>
    public IReadOnlyList<ParameterError> Errors { get; } = errors;
}

/// <summary>A problem with one parameter.</summary>
/// <param name="Parameter">The parameter's name as the user gave it or as declared.</param>
/// <param name="Message">A full sentence naming the parameter and the expected form or the valid choices.</param>
public sealed record ParameterError(string Parameter, string Message)
{
    /// <summary>The limits the value broke, in words (e.g. "from 0 to 60000; at most 4096 characters"); null when the
    /// problem is not a limit (an unknown name, a malformed or missing value).</summary>
    public string? Limit { get; init; }
}
