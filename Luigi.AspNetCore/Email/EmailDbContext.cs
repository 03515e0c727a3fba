using Luigi.Engine.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Luigi.Web.Email;

/// <summary>
/// The e-mail outbox, in the store's database next to the runs but in the web host's model, with its own migrations
/// history (<see cref="MigrationsHistoryTable"/>), as Auth's tables are: the engine knows nothing of e-mail. One subclass
/// per provider carries that provider's migrations; <see cref="EmailStore"/> makes the right one.
/// </summary>
public abstract class EmailDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The table of applied migrations of this context (the run store and Auth have their own).</summary>
    public const string MigrationsHistoryTable = "__email_migrations_history";

    public DbSet<EmailOutboxRecord> EmailOutbox => Set<EmailOutboxRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) => new EmailOutboxRecordConfiguration().Configure(modelBuilder.Entity<EmailOutboxRecord>());
}

/// <summary>The e-mail model on PostgreSQL.</summary>
public sealed class PostgresEmailDbContext(DbContextOptions<PostgresEmailDbContext> options) : EmailDbContext(options);

/// <summary>The e-mail model on SQLite.</summary>
public sealed class SqliteEmailDbContext(DbContextOptions<SqliteEmailDbContext> options) : EmailDbContext(options)
{
    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
}

/// <summary>Makes <see cref="EmailDbContext"/>s on the database of a run store, and brings its e-mail tables up to date.</summary>
public sealed class EmailStore
{
    private readonly LuigiStore _store;
    private readonly Func<EmailDbContext> _create;

    /// <summary>The outbox of <paramref name="store"/>'s database.</summary>
    public EmailStore(LuigiStore store)
    {
        _store = store;
        if (store.Provider == StoreProvider.Postgres)
        {
            var options = Configure(new DbContextOptionsBuilder<PostgresEmailDbContext>(), store.Provider, store.ConnectionString).Options;
            _create = () => new PostgresEmailDbContext(options);
        }
        else
        {
            var options = Configure(new DbContextOptionsBuilder<SqliteEmailDbContext>(), store.Provider, store.ConnectionString).Options;
            _create = () => new SqliteEmailDbContext(options);
        }
    }

    /// <summary>The database's provider.</summary>
    public StoreProvider Provider => _store.Provider;

    /// <summary>A new context; the caller disposes it.</summary>
    public EmailDbContext CreateDbContext() => _create();

    /// <summary>
    /// Applies the run store's migrations, then the e-mail model's. In that order because the store's history created the
    /// outbox table before it moved here: the e-mail model's first migration adopts that table (with its pending messages)
    /// where it exists and creates it where it does not (docs/email.md).
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await _store.MigrateAsync(cancellationToken);
        await using var context = CreateDbContext();
        await context.Database.MigrateAsync(cancellationToken);
    }

    internal static DbContextOptionsBuilder<T> Configure<T>(DbContextOptionsBuilder<T> builder, StoreProvider provider, string connectionString)
        where T : DbContext
    {
        if (provider == StoreProvider.Postgres)
        {
            builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(EmailDbContext.MigrationsHistoryTable));
        }
        else
        {
            builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(EmailDbContext.MigrationsHistoryTable));
        }

        builder.UseSnakeCaseNamingConvention();
        return builder;
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL e-mail model without a server.</summary>
internal sealed class PostgresEmailDesignTimeFactory : IDesignTimeDbContextFactory<PostgresEmailDbContext>
{
    public PostgresEmailDbContext CreateDbContext(string[] args) =>
        new(EmailStore.Configure(new DbContextOptionsBuilder<PostgresEmailDbContext>(), StoreProvider.Postgres, "Host=localhost").Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite e-mail model.</summary>
internal sealed class SqliteEmailDesignTimeFactory : IDesignTimeDbContextFactory<SqliteEmailDbContext>
{
    public SqliteEmailDbContext CreateDbContext(string[] args) =>
        new(EmailStore.Configure(new DbContextOptionsBuilder<SqliteEmailDbContext>(), StoreProvider.Sqlite, "Data Source=:memory:").Options);
}
