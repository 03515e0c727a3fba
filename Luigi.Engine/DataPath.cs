namespace Luigi.Engine;

/// <summary>
/// A path under the <see cref="DataRoot"/>, as a parameter type: whatever a user types, it cannot name a file outside
/// the root. Absolute paths (<c>/tmp/x</c>, <c>C:\x</c>, <c>\\server\share</c>), <c>..</c> segments, empty values,
/// control characters and names Windows would change or refuse are refused where the value is given, with either
/// separator (<c>/</c> or <c>\</c>) on every system, so a value accepted on Linux is accepted on Windows too.
/// </summary>
/// <remarks>
/// The value is kept relative, with <c>/</c> between segments (<c>sales/eu</c>), which is how it shows in task ids.
/// <see cref="FullPath"/> (and the implicit conversion to <see cref="string"/>) resolves it under the root, so
/// <c>new LocalFileTarget(Path.Combine(DataDir, "x.csv"))</c> and <c>DataDir.Combine("x.csv")</c> name the same file.
/// </remarks>
public sealed class DataPath : IEquatable<DataPath>
{
    /// <summary>Longest value, in characters.</summary>
    public const int MaxLength = 1_024;

    /// <summary>Longest segment (a folder or file name), in characters.</summary>
    public const int MaxSegmentLength = 255;

    private static readonly string[] DeviceNames =
        ["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
         "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];

    private DataPath(string value) => Value = value;

    /// <summary>The path relative to the root, segments separated by <c>/</c>.</summary>
    public string Value { get; }

    /// <summary>The full path under the <see cref="DataRoot"/> as it is now.</summary>
    public string FullPath => DataRoot.Resolve(Value);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="problem"/> says why, as a sentence's end.</summary>
    public static bool TryParse(string? text, out DataPath? path, out string problem)
    {
        path = null;
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "it is empty; give a folder or file under the data root";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"it is longer than {MaxLength} characters";
            return false;
        }

        if (DataRoot.IsAbsolute(text))
        {
            problem = "it is absolute; give a path relative to the data root";
            return false;
        }

        var segments = new List<string>();
        foreach (var segment in text.Split('/', '\\'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (SegmentProblem(segment) is { } segmentProblem)
            {
                problem = segmentProblem;
                return false;
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            problem = "it names the data root itself; give a folder or file under it";
            return false;
        }

        path = new DataPath(string.Join('/', segments));
        return true;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text is not a path under the root; the message says why.</exception>
    public static DataPath Parse(string text) =>
        TryParse(text, out var path, out var problem) ? path! : throw new ArgumentException($"'{Shorten(text)}' is not a path under the data root: {problem}.", nameof(text));

    /// <summary>This path with <paramref name="segments"/> added, each checked as a parameter value would be.</summary>
    /// <exception cref="ArgumentException">A segment would leave the root or is not a valid name.</exception>
    public DataPath Combine(params string[] segments) =>
        Array.Find(segments, DataRoot.IsAbsolute) is { } absolute
            ? throw new ArgumentException($"'{Shorten(absolute)}' is absolute; only relative segments can be added to a path.", nameof(segments))
            : Parse(Value + "/" + string.Join('/', segments));

    /// <summary>The full path (<see cref="FullPath"/>), so a <see cref="DataPath"/> goes wherever a path string does.</summary>
    public static implicit operator string(DataPath path) => path.FullPath;

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(DataPath? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DataPath);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    private static string? SegmentProblem(string segment)
    {
        if (segment.Trim('.').Length == 0)
        {
            return $"'{segment}' would leave the data root";
        }

        if (segment.Length > MaxSegmentLength)
        {
            return $"a name is longer than {MaxSegmentLength} characters";
        }

        foreach (var c in segment)
        {
            if (char.IsControl(c) || c is '<' or '>' or ':' or '"' or '|' or '?' or '*' || char.IsSurrogate(c) && HasLoneSurrogate(segment))
            {
                return $"'{Shorten(segment)}' contains {Describe(c)}, which no path may contain";
            }
        }

        if (segment[^1] is '.' or ' ' || segment[0] == ' ')
        {
            return $"'{Shorten(segment)}' begins or ends with a space or ends with a dot, which Windows would change";
        }

        var stem = segment.Split('.', 2)[0].TrimEnd();
        return Array.Exists(DeviceNames, d => string.Equals(d, stem, StringComparison.OrdinalIgnoreCase))
            ? $"'{Shorten(segment)}' is a device name on Windows"
            : null;
    }

    internal static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(char c) => char.IsControl(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
