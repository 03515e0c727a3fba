using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Luigi.Engine.Parameters;

/// <summary>
/// What values a parameter accepts beyond its type, declared with the data-annotation attributes .NET developers know,
/// on the property next to <see cref="ParameterAttribute"/>:
/// <list type="bullet">
/// <item><c>[Range(0, 60_000)]</c>, <c>[Range(typeof(TimeSpan), "0s", "1h")]</c>, <c>[Range(typeof(DateOnly), "2000-01-01", "2100-12-31")]</c>:
/// the value (each item of a list) is within the bounds, written as a user would type them (exclusive with
/// <c>MinimumIsExclusive</c>, <c>MaximumIsExclusive</c>).</item>
/// <item><c>[StringLength(40, MinimumLength = 1)]</c>: the value as typed has that many characters; <c>[MaxLength]</c>,
/// <c>[MinLength]</c> and <c>[Length]</c> say the same of text and paths, and count the items of a list.</item>
/// <item><c>[RegularExpression("[a-z]+")]</c>: the whole value (each item of a list) matches.</item>
/// <item><c>[AllowedValues("eu", "us")]</c>: the value (each item) is one of these.</item>
/// </list>
/// Every value as typed is also at most <see cref="ParameterBindingOptions.MaxTextLength"/> characters unless the
/// parameter declares its own maximum length.
/// </summary>
public sealed class ParameterLimits
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    private readonly Type _scalar;
    private readonly Regex? _regex;
    private readonly bool _isText;

    private ParameterLimits(PropertyInfo property, Type type)
    {
        var isList = ParameterValues.ElementType(type) is not null;
        _scalar = Nullable.GetUnderlyingType(ParameterValues.ElementType(type) ?? type) ?? ParameterValues.ElementType(type) ?? type;
        _isText = isList || _scalar == typeof(string) || _scalar == typeof(DataPath);
        var name = $"{property.DeclaringType?.Name}.{property.Name}";
        foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
        {
            switch (attribute)
            {
                case RangeAttribute range:
                    Minimum = Bound(range.Minimum, name);
                    Maximum = Bound(range.Maximum, name);
                    MinimumIsExclusive = range.MinimumIsExclusive;
                    MaximumIsExclusive = range.MaximumIsExclusive;
                    break;
                case StringLengthAttribute length:
                    MaxLength = length.MaximumLength;
                    MinLength = length.MinimumLength;
                    break;
                case MaxLengthAttribute max when isList:
                    MaxItems = max.Length;
                    break;
                case MaxLengthAttribute max:
                    MaxLength = max.Length;
                    break;
                case MinLengthAttribute min when isList:
                    MinItems = min.Length;
                    break;
                case MinLengthAttribute min:
                    MinLength = min.Length;
                    break;
                case LengthAttribute both when isList:
                    (MinItems, MaxItems) = (both.MinimumLength, both.MaximumLength);
                    break;
                case LengthAttribute both:
                    (MinLength, MaxLength) = (both.MinimumLength, both.MaximumLength);
                    break;
                case RegularExpressionAttribute regex:
                    Pattern = regex.Pattern;
                    _regex = new Regex($"^(?:{regex.Pattern})$", RegexOptions.CultureInvariant, PatternTimeout);
                    break;
                case AllowedValuesAttribute allowed:
                    AllowedValues = allowed.Values.Select(v => v is string s ? s : ParameterValues.Format(Bound(v, name))).ToArray();
                    break;
            }
        }

        if (MaxLength < 0 || MinLength < 0 || MinLength > (MaxLength ?? int.MaxValue))
        {
            throw new NotSupportedException($"Parameter {name} declares a length its type ({type.Name}) cannot take.");
        }
    }

    /// <summary>Smallest value (of the parameter's type, or of its items); null when unbounded.</summary>
    public object? Minimum { get; }

    /// <summary>Largest value (of the parameter's type, or of its items); null when unbounded.</summary>
    public object? Maximum { get; }

    /// <summary>The minimum itself is refused.</summary>
    public bool MinimumIsExclusive { get; }

    /// <summary>The maximum itself is refused.</summary>
    public bool MaximumIsExclusive { get; }

    /// <summary>Most characters of the value as typed, when declared; otherwise <see cref="ParameterBindingOptions.MaxTextLength"/> applies.</summary>
    public int? MaxLength { get; }

    /// <summary>Fewest characters of the value as typed.</summary>
    public int MinLength { get; }

    /// <summary>Most items of a list, when declared.</summary>
    public int? MaxItems { get; }

    /// <summary>Fewest items of a list.</summary>
    public int MinItems { get; }

    /// <summary>A regular expression the whole value (each item) must match; null when none.</summary>
    public string? Pattern { get; }

    /// <summary>The only values accepted (each item), as typed; empty when any value of the type is.</summary>
    public IReadOnlyList<string> AllowedValues { get; } = [];

    /// <summary>Minimum and maximum as a user would type them; null when unbounded.</summary>
    public string? MinimumText => Minimum is null ? null : ParameterValues.Format(Minimum);

    /// <inheritdoc cref="MinimumText"/>
    public string? MaximumText => Maximum is null ? null : ParameterValues.Format(Maximum);

    internal static ParameterLimits For(PropertyInfo property) => new(property, property.PropertyType);

    /// <summary>
    /// The limits in words, e.g. "from 0 to 60000" or "matching [a-z]+; at most 200 characters"; the length is said of
    /// text, paths and lists, and of other kinds when declared.
    /// </summary>
    public string Describe(int maxTextLength)
    {
        var parts = new List<string>();
        if (Minimum is not null || Maximum is not null)
        {
            parts.Add((Minimum, Maximum) switch
            {
                (not null, not null) => $"from {MinimumText}{(MinimumIsExclusive ? " (excluded)" : "")} to {MaximumText}{(MaximumIsExclusive ? " (excluded)" : "")}",
                (not null, null) => MinimumIsExclusive ? $"above {MinimumText}" : $"at least {MinimumText}",
                _ => MaximumIsExclusive ? $"below {MaximumText}" : $"at most {MaximumText}",
            });
        }

        if (AllowedValues.Count > 0)
        {
            parts.Add("one of " + string.Join(", ", AllowedValues));
        }

        if (Pattern is not null)
        {
            parts.Add($"matching {Pattern}");
        }

        if (MinItems > 0 || MaxItems is not null)
        {
            parts.Add(MaxItems is { } most ? $"{MinItems} to {most} items" : $"at least {MinItems} items");
        }

        if (_isText || MaxLength is not null || MinLength > 0)
        {
            var maxLength = MaxLength ?? maxTextLength;
            parts.Add(MinLength > 0 ? $"{MinLength} to {maxLength} characters" : $"at most {maxLength} characters");
        }

        return string.Join("; ", parts);
    }

    /// <summary>The problem with a value of the parameter, as the end of a sentence; null when it is within the limits.</summary>
    internal string? Check(string raw, object? value, int maxTextLength)
    {
        var maxLength = MaxLength ?? maxTextLength;
        if (raw.Length > maxLength)
        {
            return $"is at most {maxLength} characters long; got {raw.Length}";
        }

        if (raw.Length < MinLength)
        {
            return $"is at least {MinLength} characters long; got {raw.Length}";
        }

        if (value is System.Collections.IEnumerable items and not string)
        {
            var count = 0;
            foreach (var item in items)
            {
                count++;
                if (CheckItem(item) is { } problem)
                {
                    return $"(item {count}) {problem}";
                }
            }

            return count < MinItems || count > (MaxItems ?? int.MaxValue)
                ? $"takes {(MaxItems is { } most ? $"{MinItems} to {most}" : $"at least {MinItems}")} items; got {count}"
                : null;
        }

        return value is null ? null : CheckItem(value);
    }

    private string? CheckItem(object? item)
    {
        if (item is null)
        {
            return null;
        }

        var text = ParameterValues.Format(item);
        if (Minimum is IComparable minimum && (minimum.CompareTo(item) is var low && (low > 0 || (low == 0 && MinimumIsExclusive)))
            || Maximum is IComparable maximum && (maximum.CompareTo(item) is var high && (high < 0 || (high == 0 && MaximumIsExclusive))))
        {
            return $"must be {Describe(int.MaxValue).Split("; ")[0]}; got {Shorten(text)}";
        }

        if (AllowedValues.Count > 0 && !AllowedValues.Contains(text, StringComparer.Ordinal))
        {
            return $"must be one of {string.Join(", ", AllowedValues)}; got '{Shorten(text)}'";
        }

        try
        {
            if (_regex is not null && !_regex.IsMatch(text))
            {
                return $"must match {Pattern}; got '{Shorten(text)}'";
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return $"took too long to check against {Pattern}";
        }

        return null;
    }

    private object Bound(object? bound, string name)
    {
        if (bound is not null && bound.GetType() == _scalar)
        {
            return bound;
        }

        var text = Convert.ToString(bound, CultureInfo.InvariantCulture) ?? "";
        if (_scalar == typeof(string) || _scalar == typeof(DataPath) || !ParameterValues.TryParse(_scalar, text, out var value, out _) || value is null)
        {
            throw new NotSupportedException($"Parameter {name} declares the bound or value '{text}', which is not {ParameterValues.DescribeForm(_scalar)}.");
        }

        return value;
    }

    internal static string Shorten(string text) => text.Length <= 60 ? text : $"{text[..60]}… ({text.Length} characters)";
}
