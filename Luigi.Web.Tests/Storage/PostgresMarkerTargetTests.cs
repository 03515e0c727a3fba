using Luigi.Engine;
using Luigi.Web.Tests.Infrastructure;
using Npgsql;

namespace Luigi.Web.Tests.Storage;

/// <summary>Luigi's table-updates pattern: the marker exists exactly when the load it marks was committed.</summary>
public sealed class PostgresMarkerTargetTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Marker_ExistsOnlyOnceTheLoadingTransactionCommits()
    {
        var database = await postgres.CreateDatabaseAsync();
        var target = new PostgresMarkerTarget(database, "LoadSales(date=2026-11-26)", "sales");

        Assert.False(await target.ExistsAsync());
        await LoadAsync(database, target, commit: false);
        Assert.False(await target.ExistsAsync());
        Assert.Equal(0L, await CountSalesAsync(database));

        await LoadAsync(database, target, commit: true);

        Assert.True(await target.ExistsAsync());
        Assert.Equal(1L, await CountSalesAsync(database));
        Assert.False(await new PostgresMarkerTarget(database, "LoadSales(date=2026-11-27)").ExistsAsync());
        await target.RemoveAsync();
        Assert.False(await target.ExistsAsync());
    }

    [Fact]
    public async Task Task_IsSkipped_OnceItsMarkerIsWritten()
    {
        var database = await postgres.CreateDatabaseAsync();
        var engine = new LuigiEngine(new LuigiEngineOptions { Workers = 1 });

        var first = await engine.RunAsync([new MarkSales { ConnectionString = database }]);
        var second = await engine.RunAsync([new MarkSales { ConnectionString = database }]);

        Assert.Equal(TaskState.Done, first.StateOf("MarkSales"));
        Assert.Equal(TaskState.Complete, second.StateOf("MarkSales"));
    }

    private static async Task LoadAsync(string database, PostgresMarkerTarget target, bool commit)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS sales (amount numeric)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO sales VALUES (12.50)", connection, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await target.MarkAsync(connection, transaction);
        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }
    }

    private static async Task<long> CountSalesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM sales", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private sealed class MarkSales : LuigiTask
    {
        public required string ConnectionString { get; init; }

        public override IEnumerable<Target> Output() => [new PostgresMarkerTarget(ConnectionString, TaskId)];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
            ((PostgresMarkerTarget)Output().Single()).MarkAsync(cancellationToken);
    }
}
