using Luigi.Engine;

namespace Luigi.Web.Examples.DailySales;

/// <summary>Shared by the daily-sales tasks: where their files live.</summary>
public abstract class SalesTask : LuigiTask
{
    /// <summary>Where the files go unless told otherwise: <c>sales</c> under the data root.</summary>
    public static readonly DataPath DefaultDataDir = DataPath.Parse("sales");

    [Parameter(Significant = false, Description = "Folder under the data root that holds the inputs and outputs.")]
    public DataPath DataDir { get; init; } = DefaultDataDir;

    /// <summary>A file under <c>{data root}/{DataDir}/</c>.</summary>
    protected LocalFileTarget SalesFile(string folder, string name) => new(DataDir.Combine(folder, name));

    /// <summary>
    /// Complete when the outputs exist and everything upstream is complete too, so that deleting an
    /// intermediate file re-runs that step and every step after it.
    /// </summary>
    public override async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken) =>
        await base.CompleteAsync(cancellationToken) && await RequirementsCompleteAsync(cancellationToken);
}
