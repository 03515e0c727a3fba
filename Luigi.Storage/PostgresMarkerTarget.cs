using Npgsql;

namespace Luigi.Engine;

/// <summary>
/// An output that is a row in a PostgreSQL table of markers (<c>table_updates</c>, as in Luigi), keyed by
/// an update id, usually the task id. For tasks that load data into a database: insert the data and
/// call <see cref="MarkAsync(NpgsqlConnection, NpgsqlTransaction, CancellationToken)"/> in the same
/// transaction, so the marker exists exactly when the data does.
/// </summary>
/// <remarks>The store's own database has the table already; in any other database it is created on
/// first use.</remarks>
public sealed class PostgresMarkerTarget(string connectionString, string updateId, string? targetTable = null) : Target
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS table_updates (
            update_id character varying(2000) NOT NULL PRIMARY KEY,
            target_table character varying(200) NULL,
            inserted_at timestamp with time zone NOT NULL)
        """;

    /// <summary>The key of the marker row.</summary>
    public string UpdateId { get; } = updateId;

    /// <summary>The table the update goes to, recorded for readers of the markers.</summary>
    public string? TargetTable { get; } = targetTable;

    /// <inheritdoc />
    public override async ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM table_updates WHERE update_id = @id)", connection);
        command.Parameters.AddWithValue("id", UpdateId);
        try
        {
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    /// <summary>Writes the marker in its own transaction.</summary>
    public async Task MarkAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await MarkAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Writes the marker within the caller's transaction: it becomes visible when that commits.</summary>
    public async Task MarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        await using (var create = new NpgsqlCommand(CreateTable, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var insert = new NpgsqlCommand(
            "INSERT INTO table_updates (update_id, target_table, inserted_at) VALUES (@id, @table, now()) ON CONFLICT (update_id) DO NOTHING",
            connection, transaction);
        insert.Parameters.AddWithValue("id", UpdateId);
        insert.Parameters.AddWithValue("table", (object?)TargetTable ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Removes the marker, so the task that writes it counts as incomplete again.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM table_updates WHERE update_id = @id", connection);
        command.Parameters.AddWithValue("id", UpdateId);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Nothing was ever marked in this database.
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"postgres:table_updates/{UpdateId}";
}
