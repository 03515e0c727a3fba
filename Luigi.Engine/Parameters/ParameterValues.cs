using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Luigi.Engine.Parameters;

/// <summary>
/// Parses parameter values from the strings users type and formats them back, invariantly, so that a
/// value printed in a task id can be pasted onto the command line. Lists are comma-separated.
/// </summary>
public static class ParameterValues
{
    private static readonly Type[] Scalars =
    [
        typeof(string), typeof(int), typeof(long), typeof(bool), typeof(double), typeof(decimal),
        typeof(DateOnly), typeof(DateTime), typeof(TimeSpan), typeof(DataPath),
    ];

    /// <summary>True when <paramref name="type"/> can be a parameter.</summary>
    public static bool IsSupported(Type type) => ElementType(type) is { } element ? IsScalar(element) : IsScalar(type);

    internal static void EnsureSupported(PropertyInfo property)
    {
        if (!IsSupported(property.PropertyType))
        {
            throw new NotSupportedException(
                $"Parameter {property.DeclaringType?.Name}.{property.Name} has type {property.PropertyType.Name}, which is not a supported parameter type.");
        }

        if (property.SetMethod is null)
        {
            throw new NotSupportedException($"Parameter {property.DeclaringType?.Name}.{property.Name} needs a setter (set or init).");
        }
    }

    /// <summary>Parses <paramref name="raw"/> as a value of <paramref name="type"/>.</summary>
    public static bool TryParse(Type type, string raw, out object? value, out string problem)
    {
        problem = "";
        if (ElementType(type) is { } element)
        {
            var parts = raw.Length == 0 ? [] : raw.Split(',', StringSplitOptions.TrimEntries);
            var items = Array.CreateInstance(element, parts.Length);
            for (var i = 0; i < parts.Length; i++)
            {
                if (!TryParseScalar(element, parts[i], out var item, out var itemProblem))
                {
                    value = null;
                    problem = $" (item {i + 1}, '{ParameterLimits.Shorten(parts[i])}', is not {DescribeForm(element)}{itemProblem})";
                    return false;
                }

                items.SetValue(item, i);
            }

            value = type.IsArray ? items : Activator.CreateInstance(typeof(List<>).MakeGenericType(element), items);
            return true;
        }

        return TryParseScalar(type, raw, out value, out problem);
    }

    /// <summary>Parses a value or throws a <see cref="ParameterException"/> naming <paramref name="name"/>.</summary>
    public static object? Parse(string name, Type type, string raw) =>
        TryParse(type, raw, out var value, out var problem)
            ? value
            : throw new ParameterException([new ParameterError(name, $"Parameter '{name}' expects {DescribeForm(type)}; got '{ParameterLimits.Shorten(raw)}'{problem}.")]);

    /// <summary>Formats a value the way it would be typed (lists comma-separated).</summary>
    public static string Format(object? value)
    {
        var builder = new StringBuilder();
        FormatInto(builder, value, forTaskId: false);
        return builder.ToString();
    }

    /// <summary>
    /// Appends a value. In task ids (<paramref name="forTaskId"/>) lists are bracketed and a string
    /// that is empty, has outer spaces or contains <c>, = [ ] ( ) " \</c> is quoted with backslash
    /// escapes, so that two different sets of values never give the same id.
    /// </summary>
    internal static void FormatInto(StringBuilder builder, object? value, bool forTaskId)
    {
        switch (value)
        {
            case null:
                break;
            case DataPath path:
                FormatInto(builder, path.Value, forTaskId);
                break;
            case string s when forTaskId && NeedsQuotes(s):
                builder.Append('"').Append(s.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                break;
            case string s:
                builder.Append(s);
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case DateOnly d:
                builder.Append(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case DateTime dt:
                builder.Append(dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture));
                break;
            case TimeSpan ts:
                builder.Append(ts.ToString("c", CultureInfo.InvariantCulture));
                break;
            case double x:
                builder.Append(x.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IFormattable f:
                builder.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IEnumerable list:
                if (forTaskId)
                {
                    builder.Append('[');
                }

                var first = true;
                foreach (var item in list)
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    FormatInto(builder, item, forTaskId);
                }

                if (forTaskId)
                {
                    builder.Append(']');
                }

                break;
            default:
                builder.Append(value);
                break;
        }
    }

    /// <summary>A short description of the form a value must take.</summary>
    public static string DescribeForm(Type type)
    {
        if (ElementType(type) is { } element)
        {
            return $"a comma-separated list of {DescribeForm(element)}";
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return type switch
        {
            _ when type == typeof(string) => "text",
            _ when type == typeof(int) => "a whole number (int)",
            _ when type == typeof(long) => "a whole number (long)",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(double) => "a number like 1.5",
            _ when type == typeof(decimal) => "a decimal number like 12.50",
            _ when type == typeof(DateOnly) => "a date like 2026-11-26 (yyyy-MM-dd)",
            _ when type == typeof(DateTime) => "a date and time like 2026-11-26T09:30:00 (ISO 8601)",
            _ when type == typeof(TimeSpan) => "a duration like 00:05:00, 90s, 15m, 2h or 1d",
            _ when type == typeof(DataPath) => "a path under the data root like sales/eu (relative, no '..')",
            _ => type.Name,
        };
    }

    /// <summary>The form of a value of <paramref name="type"/>.</summary>
    public static ParameterKind KindOf(Type type)
    {
        if (ElementType(type) is not null)
        {
            return ParameterKind.List;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            { IsEnum: true } => ParameterKind.Enum,
            _ when type == typeof(int) || type == typeof(long) => ParameterKind.Integer,
            _ when type == typeof(bool) => ParameterKind.Boolean,
            _ when type == typeof(double) || type == typeof(decimal) => ParameterKind.Number,
            _ when type == typeof(DateOnly) => ParameterKind.Date,
            _ when type == typeof(DateTime) => ParameterKind.DateTime,
            _ when type == typeof(TimeSpan) => ParameterKind.Duration,
            _ when type == typeof(DataPath) => ParameterKind.Path,
            _ => ParameterKind.String,
        };
    }

    /// <summary>The enum member names for an enum type or a list of enums; empty otherwise.</summary>
    public static IReadOnlyList<string> ChoicesOf(Type type)
    {
        var scalar = ElementType(type) ?? type;
        scalar = Nullable.GetUnderlyingType(scalar) ?? scalar;
        return scalar.IsEnum ? Enum.GetNames(scalar) : [];
    }

    /// <summary>The item type of a supported list type (array, <see cref="List{T}"/>, <see cref="IReadOnlyList{T}"/>, ...), else null.</summary>
    public static Type? ElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static bool NeedsQuotes(string text) =>
        text.Length == 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) || text.AsSpan().IndexOfAny(",=[]()\"\\") >= 0;

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum || Array.IndexOf(Scalars, type) >= 0;
    }

    private static bool TryParseScalar(Type type, string raw, out object? value, out string problem)
    {
        problem = "";
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (raw.Length == 0)
            {
                value = null;
                return true;
            }

            type = underlying;
        }

        var text = raw.Trim();
        var culture = CultureInfo.InvariantCulture;
        value = null;
        if (type == typeof(string))
        {
            value = raw;
            return true;
        }

        if (type == typeof(DataPath))
        {
            var valid = DataPath.TryParse(raw, out var path, out var pathProblem);
            (value, problem) = (path, valid ? "" : $": {pathProblem}");
            return valid;
        }

        if (type.IsEnum)
        {
            var name = Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            value = name is null ? null : Enum.Parse(type, name);
            return name is not null;
        }

        bool ok;
        if (type == typeof(int))
        {
            ok = int.TryParse(text, NumberStyles.Integer, culture, out var v);
            value = v;
        }
        else if (type == typeof(long))
        {
            ok = long.TryParse(text, NumberStyles.Integer, culture, out var v);
            value = v;
        }
        else if (type == typeof(bool))
        {
            ok = TryParseBool(text, out var v);
            value = v;
        }
        else if (type == typeof(double))
        {
            ok = double.TryParse(text, NumberStyles.Float, culture, out var v) && double.IsFinite(v);
            value = v;
        }
        else if (type == typeof(decimal))
        {
            ok = decimal.TryParse(text, NumberStyles.Number, culture, out var v);
            value = v;
        }
        else if (type == typeof(DateOnly))
        {
            ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", culture, DateTimeStyles.None, out var v);
            value = v;
        }
        else if (type == typeof(DateTime))
        {
            ok = DateTime.TryParse(text, culture, DateTimeStyles.RoundtripKind, out var v) && text.Contains('-');
            value = v;
        }
        else if (type == typeof(TimeSpan))
        {
            ok = TryParseDuration(text, out var v, out problem);
            value = v;
        }
        else
        {
            ok = false;
        }

        if (!ok)
        {
            value = null;
        }

        return ok;
    }

    private static bool TryParseBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "1" or "on":
                value = true;
                return true;
            case "false" or "no" or "0" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Accepts <c>hh:mm:ss</c> (and <c>d.hh:mm:ss</c>) or a number with a unit: ms, s, m, h, d.</summary>
    private static bool TryParseDuration(string text, out TimeSpan value, out string problem)
    {
        problem = "";
        if (text.Contains(':'))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        value = default;
        var unitStart = 0;
        while (unitStart < text.Length && (char.IsAsciiDigit(text[unitStart]) || text[unitStart] == '.'))
        {
            unitStart++;
        }

        if (unitStart == 0 || !double.TryParse(text.AsSpan(0, unitStart), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        double? milliseconds = text[unitStart..] switch
        {
            "ms" => amount,
            "s" => amount * 1_000,
            "m" => amount * 60_000,
            "h" => amount * 3_600_000,
            "d" => amount * 86_400_000,
            _ => null,
        };
        if (milliseconds is not { } ms)
        {
            return false;
        }

        if (!double.IsFinite(ms) || ms >= TimeSpan.MaxValue.TotalMilliseconds)
        {
            problem = " (longer than the longest duration, about 10.7 million days)";
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
