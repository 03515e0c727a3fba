using System.Text;

namespace Luigi.Engine;

/// <summary>
/// A file on the local disk. Writes are atomic: the content goes to a temporary file beside the target,
/// which is renamed over it only when the write succeeds, so a task that throws half-way leaves no file
/// behind and is not mistaken for complete.
/// </summary>
/// <remarks>
/// A relative path resolves under the <see cref="DataRoot"/>, never the working directory, and may not leave it
/// (<c>..</c>); an absolute path is taken as it is (the pipeline's own code chose it). Take folder parameters as
/// <see cref="DataPath"/> so users cannot give an absolute path either.
/// </remarks>
/// <param name="path">An absolute path, or one relative to the data root.</param>
/// <exception cref="ArgumentException">The path is empty, or relative and leaves the data root.</exception>
public sealed class LocalFileTarget(string path) : Target
{
    /// <summary>The full path of the file.</summary>
    public string Path { get; } = ResolvePath(path);

    /// <inheritdoc />
    public override ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(File.Exists(Path));

    /// <summary>
    /// Opens a temporary file for writing. Call <see cref="AtomicFileWriter.CommitAsync"/> when done: only
    /// then does the file appear at <see cref="Path"/>. Disposing without committing discards it.
    /// </summary>
    public AtomicFileWriter OpenWrite() => new(Path);

    /// <summary>Runs <paramref name="write"/> against a temporary file and publishes it if it returns normally.</summary>
    public async System.Threading.Tasks.Task WriteAsync(Func<Stream, CancellationToken, System.Threading.Tasks.Task> write, CancellationToken cancellationToken = default)
    {
        await using var writer = OpenWrite();
        await write(writer.Stream, cancellationToken).ConfigureAwait(false);
        await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) atomically.</summary>
    public System.Threading.Tasks.Task WriteAllTextAsync(string text, CancellationToken cancellationToken = default) =>
        WriteAsync((stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).AsTask(), cancellationToken);

    /// <summary>Writes lines (UTF-8, <c>\n</c>) atomically, streaming them as they come.</summary>
    public System.Threading.Tasks.Task WriteAllLinesAsync(IEnumerable<string> lines, CancellationToken cancellationToken = default) =>
        WriteAsync(async (stream, ct) =>
        {
            await using var text = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
            foreach (var line in lines)
            {
                ct.ThrowIfCancellationRequested();
                await text.WriteLineAsync(line).ConfigureAwait(false);
            }
        }, cancellationToken);

    /// <summary>Opens the file for reading.</summary>
    public Stream OpenRead() => File.OpenRead(Path);

    /// <summary>Reads the whole file as UTF-8 text.</summary>
    public Task<string> ReadAllTextAsync(CancellationToken cancellationToken = default) => File.ReadAllTextAsync(Path, cancellationToken);

    /// <summary>Reads the file line by line.</summary>
    public IAsyncEnumerable<string> ReadLinesAsync(CancellationToken cancellationToken = default) => File.ReadLinesAsync(Path, cancellationToken);

    /// <summary>Deletes the file if it exists (used to invalidate an output before a forced re-run).</summary>
    public void Delete() => File.Delete(Path);

    /// <inheritdoc />
    public override string ToString() => Path;

    private static string ResolvePath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return System.IO.Path.IsPathFullyQualified(path) ? System.IO.Path.GetFullPath(path) : DataRoot.Resolve(path);
    }
}

/// <summary>
/// A temporary file that becomes the target file on <see cref="CommitAsync"/> (by rename, atomic on one
/// file system) and is deleted if disposed uncommitted.
/// </summary>
public sealed class AtomicFileWriter : IAsyncDisposable, IDisposable
{
    private readonly string _path;
    private readonly string _temporaryPath;
    private bool _committed;

    internal AtomicFileWriter(string path)
    {
        _path = path;
        var directory = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        _temporaryPath = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
    }

    /// <summary>The temporary file's stream.</summary>
    public Stream Stream { get; }

    /// <summary>Flushes to disk and renames the temporary file over the target.</summary>
    public async System.Threading.Tasks.Task CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        ((FileStream)Stream).Flush(flushToDisk: true);
        await Stream.DisposeAsync().ConfigureAwait(false);
        File.Move(_temporaryPath, _path, overwrite: true);
        _committed = true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        Discard();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stream.Dispose();
        Discard();
    }

    private void Discard()
    {
        if (!_committed)
        {
            File.Delete(_temporaryPath);
        }
    }
}
