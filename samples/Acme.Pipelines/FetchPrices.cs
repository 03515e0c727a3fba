using Luigi.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acme.Pipelines;

/// <summary>
/// Fetches a supplier's price list to <c>{DataDir}/prices/{Date}.csv</c> with an <see cref="HttpClient"/> from the host's
/// <see cref="IHttpClientFactory"/> (given to its constructor), and logs through an <see cref="ILogger{T}"/> from the
/// attempt's services: those lines are kept with the attempt, as <see cref="TaskContext.Log"/>'s are.
/// </summary>
public sealed class FetchPrices(IHttpClientFactory http) : LuigiTask
{
    /// <summary>The header a price list starts with.</summary>
    public const string CsvHeader = "sku,price";

    [Parameter(Description = "The day of the price list.")]
    public required DateOnly Date { get; init; }

    [Parameter(Significant = false, Description = "Address of the supplier's price list.")]
    public required string Source { get; init; }

    [Parameter(Significant = false, Description = "Folder that holds the inputs and outputs.")]
    public string DataDir { get; init; } = InventorySnapshot.DefaultDataDir;

    /// <inheritdoc />
    public override IEnumerable<Target> Output() => [new LocalFileTarget(Path.Combine(DataDir, "prices", $"{Date:yyyy-MM-dd}.csv"))];

    /// <inheritdoc />
    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var logger = context.Services.GetRequiredService<ILogger<FetchPrices>>();
        using var client = http.CreateClient(nameof(FetchPrices));
        var text = await client.GetStringAsync(Source, cancellationToken);
        var lines = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != CsvHeader)
        {
            throw new InvalidDataException($"{Source} is no price list: it should start with '{CsvHeader}'.");
        }

        await ((LocalFileTarget)Output().Single()).WriteAllLinesAsync(lines, cancellationToken);
        logger.LogInformation("Fetched {Count} prices for {Date:yyyy-MM-dd} from {Source}.", lines.Length - 1, Date, Source);
    }
}
