using Luigi.Engine.Execution;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Luigi.Engine.Storage;

/// <summary>
/// Opens short-lived <see cref="LuigiDbContext"/>s on the configured provider and applies its migrations.
/// One instance per process; contexts are created per unit of work and disposed right after.
/// </summary>
public sealed class LuigiStore : RunStore, IDbContextFactory<LuigiDbContext>
{
    private readonly Func<LuigiDbContext> _create;

    private LuigiStore(StoreProvider provider, string connectionString, Func<LuigiDbContext> create)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _create = create;
    }

    /// <summary>The provider in use.</summary>
    public StoreProvider Provider { get; }

    /// <summary>The connection string in use.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates the store described by <paramref name="options"/> (validated here). <paramref name="executionStrategy"/>,
    /// when given, is the EF Core execution strategy of its contexts (PostgreSQL; e.g. retries of the web host's reads).</summary>
    public static LuigiStore Create(StoreOptions options, Func<ExecutionStrategyDependencies, IExecutionStrategy>? executionStrategy = null)
    {
        options.Validate();
        if (options.Provider == StoreProvider.Postgres)
        {
            var connectionString = options.ConnectionString!;
            var postgres = new DbContextOptionsBuilder<PostgresLuigiDbContext>()
                .UseNpgsql(connectionString, npgsql =>
                {
                    if (executionStrategy is not null)
                    {
                        npgsql.ExecutionStrategy(executionStrategy);
                    }
                })
                .UseSnakeCaseNamingConvention()
                .Options;
            return new LuigiStore(StoreProvider.Postgres, connectionString, () => new PostgresLuigiDbContext(postgres));
        }

        var sqlite = string.IsNullOrWhiteSpace(options.ConnectionString) ? StoreOptions.DefaultSqliteConnectionString : options.ConnectionString;
        EnsureSqliteFolder(sqlite);
        var sqliteOptions = new DbContextOptionsBuilder<SqliteLuigiDbContext>()
            .UseSqlite(sqlite)
            .UseSnakeCaseNamingConvention()
            .Options;
        return new LuigiStore(StoreProvider.Sqlite, sqlite, () => new SqliteLuigiDbContext(sqliteOptions));
    }

    /// <inheritdoc />
    public LuigiDbContext CreateDbContext() => _create();

    /// <inheritdoc />
    internal override IRunQueue CreateQueue(TimeProvider time, IReadOnlyDictionary<string, int> resources, ILoggerFactory? loggers) =>
        new RunQueue(this, time, resources: resources, logger: loggers?.CreateLogger<RunQueue>());

    /// <summary>Creates the database if needed and applies every pending migration.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateDbContext();
        await context.Database.MigrateAsync(cancellationToken);
        if (Provider == StoreProvider.Sqlite)
        {
            // Readers do not block the writer, and a writer waits for another instead of failing at once.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (dataSource != ":memory:" && !string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
