using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Luigi.Engine;
using Luigi.Web.Examples.DailySales;

namespace Luigi.Web.Examples.ShopExports;

/// <summary>
/// A pipeline that grows and waits: it waits for another system's export of a day to land (a folder of order files
/// closed by a <c>_SUCCESS</c> marker, checked every few minutes for hours, holding no worker meanwhile), then cleans each
/// file it finds there, one task per file, required at run time since nobody knows the files before they arrive.
/// Drop files into <c>{data root}/{DataDir}/incoming/{date}/</c> and the marker last.
/// </summary>
[Description("Wait for a day's order export to arrive, then clean each file found in it.")]
public sealed class ShopExports : Pipeline
{
    [Parameter(Description = "The day of the export (default: yesterday, UTC).")]
    [Range(typeof(DateOnly), "2000-01-01", "2099-12-31")]
    public DateOnly? Date { get; init; }

    [Parameter(Description = "Minutes between two checks for the export.")]
    [Range(1, 1440)]
    public int CheckEveryMinutes { get; init; } = 5;

    [Parameter(Description = "Hours after the start of the run to give up waiting for the export.")]
    [Range(0, 72)]
    public int WaitHours { get; init; } = 6;

    [Parameter(Description = "Folder under the data root that holds the incoming exports and the cleaned files.")]
    [StringLength(200)]
    public DataPath DataDir { get; init; } = ExportTask.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Roots() =>
    [
        new CleanExport
        {
            Date = Date ?? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1), DataDir = DataDir,
            CheckEveryMinutes = CheckEveryMinutes, WaitHours = WaitHours,
        },
    ];
}

/// <summary>Where the export tasks' files live.</summary>
public static class ExportTask
{
    /// <summary>Unless told otherwise: <c>exports</c> under the data root.</summary>
    public static readonly DataPath DefaultDataDir = DataPath.Parse("exports");
}

/// <summary>The day's export, made by another system: complete once its <c>_SUCCESS</c> marker exists; waited for.</summary>
public sealed class ExportArrived : ExternalTask
{
    [Parameter(Description = "The day of the export.")]
    public required DateOnly Date { get; init; }

    [Parameter(Significant = false, Description = "Folder under the data root.")]
    public DataPath DataDir { get; init; } = ExportTask.DefaultDataDir;

    [Parameter(Significant = false, Description = "Minutes between two checks.")]
    public int CheckEveryMinutes { get; init; } = 5;

    [Parameter(Significant = false, Description = "Hours after the start of the run to give up.")]
    public int WaitHours { get; init; } = 6;

    /// <summary>The folder the export lands in.</summary>
    public string Folder => DataDir.Combine("incoming", $"{Date:yyyy-MM-dd}");

    /// <inheritdoc />
    public override WaitFor? WaitFor => new(every: TimeSpan.FromMinutes(CheckEveryMinutes), upTo: TimeSpan.FromHours(WaitHours));

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [new LocalFileTarget(Path.Combine(Folder, "_SUCCESS"))];
}

/// <summary>Cleans every file of the day's export: one <see cref="CleanExportFile"/> per file, found when it runs.</summary>
public sealed class CleanExport : LuigiTask
{
    [Parameter(Description = "The day of the export.")]
    public required DateOnly Date { get; init; }

    [Parameter(Significant = false, Description = "Folder under the data root.")]
    public DataPath DataDir { get; init; } = ExportTask.DefaultDataDir;

    [Parameter(Significant = false, Description = "Minutes between two checks for the export.")]
    public int CheckEveryMinutes { get; init; } = 5;

    [Parameter(Significant = false, Description = "Hours after the start of the run to give up waiting.")]
    public int WaitHours { get; init; } = 6;

    /// <inheritdoc />
    public override IEnumerable<LuigiTask> Requires() =>
        [new ExportArrived { Date = Date, DataDir = DataDir, CheckEveryMinutes = CheckEveryMinutes, WaitHours = WaitHours }];

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [new LocalFileTarget(DataDir.Combine("clean", $"{Date:yyyy-MM-dd}", "_SUMMARY.txt"))];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var folder = ((ExportArrived)Requires().Single()).Folder;
        var files = Directory.EnumerateFiles(folder, "*.csv").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        context.Log($"The export of {Date:yyyy-MM-dd} has {files.Count} file(s).");
        // Run again from the start once the files are clean: listing them twice is harmless.
        var cleaned = await context.RequireAsync(files.Select(f => new CleanExportFile { Date = Date, File = f, DataDir = DataDir }), cancellationToken);
        var lines = new List<string>();
        foreach (var target in cleaned.Cast<LocalFileTarget>())
        {
            lines.Add($"{Path.GetFileName(target.Path)}: {File.ReadLines(target.Path).Count() - 1} orders");
        }

        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(lines, cancellationToken);
    }
}

/// <summary>Drops the malformed orders of one file of an export (the rules of <see cref="CleanOrders"/>).</summary>
public sealed class CleanExportFile : LuigiTask
{
    [Parameter(Description = "The day of the export.")]
    public required DateOnly Date { get; init; }

    [Parameter(Description = "The file's name in the export.")]
    [StringLength(255)]
    public required string File { get; init; }

    [Parameter(Significant = false, Description = "Folder under the data root.")]
    public DataPath DataDir { get; init; } = ExportTask.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [new LocalFileTarget(DataDir.Combine("clean", $"{Date:yyyy-MM-dd}", File))];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var input = new LocalFileTarget(DataDir.Combine("incoming", $"{Date:yyyy-MM-dd}", File));
        var kept = new List<string>();
        var dropped = 0;
        await foreach (var line in input.ReadLinesAsync(cancellationToken))
        {
            if (kept.Count == 0 || CleanOrders.IsValid(line))
            {
                kept.Add(line);
            }
            else
            {
                dropped++;
            }
        }

        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(kept, cancellationToken);
        context.Log($"{File}: kept {Math.Max(0, kept.Count - 1)} orders, dropped {dropped} malformed.");
    }
}
