namespace Luigi.Engine.Storage;

/// <summary>Which database keeps the runs. Bound from <c>Luigi:Store</c> and <c>ConnectionStrings:Luigi</c>.</summary>
public sealed class StoreOptions
{
    /// <summary>The default embedded database: a file under the working folder.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=data/luigi.db";

    /// <summary><see cref="StoreProvider.Sqlite"/> (default, zero set-up) or <see cref="StoreProvider.Postgres"/>.</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>The connection string; for SQLite, <see cref="DefaultSqliteConnectionString"/> when empty.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations when the host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Throws when the settings cannot work, naming the setting.</summary>
    public void Validate()
    {
        if (Provider == StoreProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                "Luigi:Store:Provider is Postgres but no connection string is set: set ConnectionStrings:Luigi (or ConnectionStrings__Luigi).");
        }
    }
}

/// <summary>The databases a store can live in.</summary>
public enum StoreProvider
{
    Sqlite,
    Postgres,
}
