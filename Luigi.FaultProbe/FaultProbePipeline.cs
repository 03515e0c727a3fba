using System.Globalization;
using Luigi.Engine;

namespace Luigi.FaultProbe;

/// <summary>
/// A layered graph of <see cref="Tasks"/> tasks, <see cref="Width"/> to a layer, each requiring three of the layer
/// before it. Every task writes to the journal under <c>fault-probe/{Key}</c> in the data root when it starts, ends
/// or sees its cancellation; in between it waits for the test's gate when <see cref="Gated"/> (until the file
/// <c>release</c> appears in that folder) and takes <see cref="DelayMs"/>, both cooperatively (they honour the
/// cancellation token), then writes its output file, so it is complete.
/// </summary>
public sealed class FaultProbe : Pipeline
{
    /// <summary>Names this run's folder; one per test.</summary>
    [Parameter] public string Key { get; init; } = "probe";

    [Parameter] public int Tasks { get; init; } = 100;

    [Parameter] public int Width { get; init; } = 4;

    [Parameter] public int DelayMs { get; init; } = 200;

    /// <summary>Whether each task waits, after it started, until the test opens the gate (<see cref="ProbeJournal.Release"/>).</summary>
    [Parameter] public bool Gated { get; init; }

    public override IEnumerable<LuigiTask> Roots() =>
        Enumerable.Range(Math.Max(0, Tasks - Width), Math.Min(Width, Tasks)).Select(i => new ProbeTask { Index = i, Pipeline = this });
}

/// <summary>One task of <see cref="FaultProbe"/>.</summary>
public sealed class ProbeTask : LuigiTask
{
    [Parameter] public int Index { get; init; }

    public required FaultProbe Pipeline { get; init; }

    public override IEnumerable<LuigiTask> Requires()
    {
        var layerStart = Index / Pipeline.Width * Pipeline.Width;
        if (layerStart == 0)
        {
            yield break;
        }

        var previous = layerStart - Pipeline.Width;
        foreach (var offset in new[] { 0, Index % Pipeline.Width, Pipeline.Width - 1 }.Distinct())
        {
            yield return new ProbeTask { Index = previous + offset, Pipeline = Pipeline };
        }
    }

    public override IEnumerable<Target> Output() => [new LocalFileTarget(ProbeJournal.OutputPath(Pipeline.Key, Index))];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ProbeJournal.Write(Pipeline.Key, ProbeJournal.Start, TaskId, context.Attempt);
        try
        {
            while (Pipeline.Gated && !File.Exists(Path.Combine(ProbeJournal.Folder(Pipeline.Key), ProbeJournal.GateFile)))
            {
                await Task.Delay(50, cancellationToken);
            }

            await Task.Delay(Pipeline.DelayMs, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            ProbeJournal.Write(Pipeline.Key, ProbeJournal.Cancelled, TaskId, context.Attempt);
            throw;
        }

        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync(TaskId, cancellationToken);
        ProbeJournal.Write(Pipeline.Key, ProbeJournal.End, TaskId, context.Attempt);
    }
}

/// <summary>
/// The probe's journal: one file per process (<c>journal-{pid}.log</c>), a line per event, written and flushed before
/// the task goes on, so that what a killed process did before it died is on disk.
/// </summary>
public static class ProbeJournal
{
    public const string Start = "start";
    public const string End = "end";
    public const string Cancelled = "cancelled";

    /// <summary>The file whose presence in a run key's folder lets its gated tasks go on.</summary>
    public const string GateFile = "release";

    private static readonly Lock Gate = new();

    /// <summary>Opens the gate of the journal folder <paramref name="folder"/>: its gated tasks go on.</summary>
    public static void Release(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, GateFile), "");
    }

    /// <summary>The folder of run key <paramref name="key"/> under the data root.</summary>
    public static string Folder(string key) => DataRoot.Resolve($"fault-probe/{key}");

    /// <summary>Where task <paramref name="index"/> writes its output, relative to the data root.</summary>
    public static string OutputPath(string key, int index) => $"fault-probe/{key}/out/{index}.txt";

    /// <summary>Appends one event of this process.</summary>
    public static void Write(string key, string kind, string taskId, int attempt)
    {
        var folder = Folder(key);
        var line = string.Join('\t', DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture), Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            kind, taskId, attempt.ToString(CultureInfo.InvariantCulture));
        lock (Gate)
        {
            Directory.CreateDirectory(folder);
            using var file = new FileStream(Path.Combine(folder, $"journal-{Environment.ProcessId}.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            using var writer = new StreamWriter(file);
            writer.WriteLine(line);
            writer.Flush();
            file.Flush(flushToDisk: false);
        }
    }

    /// <summary>Every event of every process under <paramref name="folder"/>, in time order.</summary>
    public static IReadOnlyList<ProbeEvent> Read(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var events = new List<ProbeEvent>();
        foreach (var file in Directory.EnumerateFiles(folder, "journal-*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var parts = line.Split('\t');
                if (parts.Length == 5) // a line cut short by a kill is not an event
                {
                    events.Add(new ProbeEvent(DateTime.Parse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                        int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3], int.Parse(parts[4], CultureInfo.InvariantCulture)));
                }
            }
        }

        return [.. events.OrderBy(e => e.At)];
    }
}

/// <summary>One line of the journal: when, which process, what (start, end, cancelled), which task and attempt.</summary>
public sealed record ProbeEvent(DateTime At, int ProcessId, string Kind, string TaskId, int Attempt);
