using StoreOptions = Luigi.Engine.Storage.StoreOptions;
using Luigi.Engine.Storage;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Luigi.Web.Reliability;

namespace Luigi.Web.Auth;

/// <summary>
/// Users, roles, API tokens and the data-protection keys (which sign the session cookies, so that every host of the
/// dashboard accepts them and they survive a restart), in the store's database next to the runs, with their own
/// migrations history (<see cref="MigrationsHistoryTable"/>). One subclass per provider carries that provider's
/// migrations; <see cref="AuthStore"/> registers the right one.
/// </summary>
public abstract class AuthDbContext(DbContextOptions options) : IdentityDbContext<LuigiUser>(options), IDataProtectionKeyContext
{
    /// <summary>The table of applied migrations of this context (the run store has its own).</summary>
    public const string MigrationsHistoryTable = "__auth_migrations_history";

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    /// <inheritdoc />
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<LuigiUser>().ToTable("auth_users");
        builder.Entity<IdentityRole>().ToTable("auth_roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("auth_user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("auth_user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("auth_user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("auth_user_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("auth_role_claims");
        builder.Entity<DataProtectionKey>().ToTable("auth_data_protection_keys");
        builder.Entity<ApiToken>(token =>
        {
            token.ToTable("auth_api_tokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.Name).HasMaxLength(200).IsRequired();
            token.Property(t => t.TokenHash).HasMaxLength(64).IsRequired();
            token.Property(t => t.Prefix).HasMaxLength(16).IsRequired();
            token.Property(t => t.RevokedBy).HasMaxLength(256);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.UserId);
            token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// <summary>The auth model on PostgreSQL.</summary>
public sealed class PostgresAuthDbContext(DbContextOptions<PostgresAuthDbContext> options) : AuthDbContext(options);

/// <summary>The auth model on SQLite.</summary>
public sealed class SqliteAuthDbContext(DbContextOptions<SqliteAuthDbContext> options) : AuthDbContext(options)
{
    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
}

/// <summary>Registers the <see cref="AuthDbContext"/> of the store's provider and connection.</summary>
public static class AuthStore
{
    /// <summary>
    /// Registers <see cref="AuthDbContext"/> (scoped, from a pool: every API request with a token uses one) on the
    /// database of <paramref name="store"/>'s settings.
    /// </summary>
    public static IServiceCollection AddAuthStore(this IServiceCollection services, StoreOptions store)
    {
        if (store.Provider == StoreProvider.Postgres)
        {
            services.AddDbContextPool<AuthDbContext, PostgresAuthDbContext>(o => Configure(o, store));
        }
        else
        {
            services.AddDbContextPool<AuthDbContext, SqliteAuthDbContext>(o => Configure(o, store));
        }

        return services;
    }

    /// <summary>Points <paramref name="builder"/> at the store's database, with the auth migrations' own history table.</summary>
    internal static DbContextOptionsBuilder Configure(DbContextOptionsBuilder builder, StoreOptions store)
    {
        if (store.Provider == StoreProvider.Postgres)
        {
            // Token lookups and session checks on every request: retried briefly when a pooled connection broke (a restart).
            builder.UseNpgsql(store.ConnectionString, npgsql => npgsql.MigrationsHistoryTable(AuthDbContext.MigrationsHistoryTable)
                .ExecutionStrategy(dependencies => new StoreReadRetry(dependencies)));
        }
        else
        {
            var connectionString = string.IsNullOrWhiteSpace(store.ConnectionString) ? StoreOptions.DefaultSqliteConnectionString : store.ConnectionString;
            builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(AuthDbContext.MigrationsHistoryTable));
        }

        return builder.UseSnakeCaseNamingConvention();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL auth model without a server.</summary>
internal sealed class PostgresAuthDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAuthDbContext>
{
    public PostgresAuthDbContext CreateDbContext(string[] args) => new((DbContextOptions<PostgresAuthDbContext>)AuthStore.Configure(
        new DbContextOptionsBuilder<PostgresAuthDbContext>(), new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = "Host=localhost" }).Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite auth model.</summary>
internal sealed class SqliteAuthDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAuthDbContext>
{
    public SqliteAuthDbContext CreateDbContext(string[] args) => new((DbContextOptions<SqliteAuthDbContext>)AuthStore.Configure(
        new DbContextOptionsBuilder<SqliteAuthDbContext>(), new StoreOptions { Provider = StoreProvider.Sqlite, ConnectionString = "Data Source=:memory:" }).Options);
}
