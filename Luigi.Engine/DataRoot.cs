namespace Luigi.Engine;

/// <summary>
/// The folder under which relative file paths live: a <see cref="LocalFileTarget"/> made with a relative path and a
/// <see cref="DataPath"/> parameter resolve here, never against the process's working directory of the moment, and a
/// relative path that would leave this folder is refused.
/// </summary>
/// <remarks>
/// One setting for the process, set when a host starts (<c>Luigi:Data:Root</c>), because targets are made by pipeline
/// code in <see cref="LuigiTask.Output"/>, which has no context to carry it. Until it is set it is <c>data</c> under the
/// working directory as it was when the root was first asked for, and it stays there.
/// </remarks>
public static class DataRoot
{
    private static readonly object Gate = new();
    private static string? _directory;

    /// <summary>The full path of the root, without a trailing separator.</summary>
    public static string Directory
    {
        get
        {
            lock (Gate)
            {
                return _directory ??= Normalize(Path.Combine(Environment.CurrentDirectory, "data"));
            }
        }
    }

    /// <summary>
    /// Sets the root to <paramref name="path"/>; a relative one starts at <paramref name="baseDirectory"/> (by default the
    /// working directory). Called once when a host starts; paths resolved before keep the old root.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty or not a valid path.</exception>
    public static void Set(string path, string? baseDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The data root must name a folder.", nameof(path));
        }

        var full = Normalize(Path.GetFullPath(path, baseDirectory ?? Environment.CurrentDirectory));
        lock (Gate)
        {
            _directory = full;
        }
    }

    /// <summary>
    /// The full path of <paramref name="relativePath"/> under the root (either separator, <c>/</c> or <c>\</c>, is
    /// accepted on every system).
    /// </summary>
    /// <exception cref="ArgumentException">The path is absolute, empty, or leaves the root (<c>..</c>).</exception>
    public static string Resolve(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (relativePath.Length == 0 || IsAbsolute(relativePath))
        {
            throw new ArgumentException($"'{relativePath}' is not a path relative to the data root.", nameof(relativePath));
        }

        var root = Directory;
        var full = Path.GetFullPath(relativePath.Replace('\\', '/'), root);
        if (!Contains(root, full))
        {
            throw new ArgumentException($"The path '{relativePath}' leaves the data root ({root}).", nameof(relativePath));
        }

        return full;
    }

    /// <summary>True when <paramref name="path"/> is absolute on any system: <c>/x</c>, <c>\x</c>, <c>C:</c>..., <c>\\server\share</c>.</summary>
    public static bool IsAbsolute(string path) =>
        path.Length > 0 && (path[0] is '/' or '\\' || (path.Length > 1 && path[1] == ':' && char.IsAsciiLetter(path[0])) || Path.IsPathRooted(path));

    internal static bool Contains(string root, string full)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return full.Length > root.Length && full.StartsWith(root, comparison)
            && (root[^1] == Path.DirectorySeparatorChar || full[root.Length] == Path.DirectorySeparatorChar);
    }

    private static string Normalize(string full) => Path.TrimEndingDirectorySeparator(full);
}
