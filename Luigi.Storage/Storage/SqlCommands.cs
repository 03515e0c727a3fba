using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Luigi.Engine.Storage;

/// <summary>
/// Small ADO.NET helpers for the store's hot paths, hiding the few differences between the providers:
/// how a connection is opened and how a <see cref="Guid"/> is bound and read (EF Core keeps it as
/// upper-case text on SQLite).
/// </summary>
internal sealed class SqlCommands(LuigiStore store)
{
    private readonly string _connectionString = store.Provider == StoreProvider.Postgres ? HotPathConnectionString(store.ConnectionString) : store.ConnectionString;

    public bool IsPostgres => store.Provider == StoreProvider.Postgres;

    /// <summary>Appended to the claim's inner select: PostgreSQL lets concurrent hosts skip each other's rows;
    /// SQLite has one writer at a time, so the update is atomic anyway.</summary>
    public string SkipLocked => IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(_connectionString) : new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = ToDb(value);
            if (parameter is NpgsqlParameter npgsql && IsTimeArray(value))
            {
                npgsql.NpgsqlDbType = TimeArray;
            }

            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Sets parameters of a command made by <see cref="Command"/> again, to run it once more.</summary>
    public void Bind(DbCommand command, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters[name].Value = ToDb(value);
        }
    }

    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<List<T>> QueryAsync<T>(
        DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await ReadAllAsync(command, read, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="command"/> and reads every row it returns with <paramref name="read"/>.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// The hot paths send the same few statements thousands of times: they are prepared once per pooled
    /// connection and planned once (planning them cost as much as running them; their plans do not depend
    /// on the values, so a generic plan is right), and a connection going back to this pool is not reset,
    /// since nothing here changes session state. An auto-prepare setting in the connection string wins.
    /// </summary>
    private static string HotPathConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
            builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan".Trim();
        }

        return builder.ConnectionString;
    }

    private object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        Guid guid when !IsPostgres => guid.ToString().ToUpperInvariant(),
        _ => value,
    };

    /// <summary>
    /// Arrays of times go to PostgreSQL typed, not inferred: an array whose times were all null and one that held a time were
    /// inferred as two types, and a prepared statement was prepared and planned again each time the kind of array changed:
    /// a third of the commits of a 100,000-task run, about 1 ms each (docs/benchmarks.md). Every time here is UTC.
    /// </summary>
    private const NpgsqlTypes.NpgsqlDbType TimeArray = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz;

    private static bool IsTimeArray(object? value) => value is DateTime?[] or DateTime[];

    /// <summary>A statement of an <see cref="NpgsqlBatch"/>, with named parameters (null is bound as NULL).</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params (string Name, object? Value)[] parameters) => Add(new NpgsqlBatchCommand(sql), parameters);

    /// <summary>Adds <paramref name="parameters"/> to <paramref name="command"/> (times and arrays of times as <c>timestamptz</c>).</summary>
    public static NpgsqlBatchCommand Add(NpgsqlBatchCommand command, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(IsTimeArray(value) ? new NpgsqlParameter(name, TimeArray) { Value = value } : new NpgsqlParameter(name, value ?? DBNull.Value));
        }

        return command;
    }

    public static Guid ReadGuid(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(Guid) ? reader.GetGuid(ordinal) : Guid.Parse(reader.GetString(ordinal));

    public static DateTime ReadUtc(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    /// <summary>
    /// <paramref name="text"/> with each NUL character replaced by U+FFFD: PostgreSQL text cannot hold NUL, and a task
    /// that logs one, or an error that carries one, must not make its outcome unwritable.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    internal static string? NoNul(string? text) => text is not null && text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
}
