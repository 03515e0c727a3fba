using Luigi.Engine;

namespace Luigi.Web.Examples.DailySales;

/// <summary>Shared by the daily-sales tasks: where their files live.</summary>
public abstract class SalesTask : LuigiTask
{
    [Parameter(Significant = false, Description = "Folder that holds the inputs and outputs (sales/ is created under it).")]
    public string DataDir { get; init; } = "data";

    /// <summary>A file under <c>{DataDir}/sales/</c>.</summary>
    protected LocalFileTarget SalesFile(string folder, string name) => new(Path.Combine(DataDir, "sales", folder, name));

    /// <summary>
    /// Complete when the outputs exist and everything upstream is complete too, so that deleting an
    /// intermediate file re-runs that step and every step after it.
    /// </summary>
    public override async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken) =>
        await base.CompleteAsync(cancellationToken) && await RequirementsCompleteAsync(cancellationToken);
}
