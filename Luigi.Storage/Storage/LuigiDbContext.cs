using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Engine.Storage;

/// <summary>
/// The store's EF Core model: runs, their tasks, edges, attempts and log lines, hosts, markers, the e-mail outbox,
/// the audit trail, schedules and backfills.
/// One subclass per provider carries that provider's migrations (<see cref="PostgresLuigiDbContext"/>,
/// <see cref="SqliteLuigiDbContext"/>); use <see cref="LuigiStore"/> to get the right one.
/// </summary>
public abstract class LuigiDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RunRecord> Runs => Set<RunRecord>();

    public DbSet<RunTaskRecord> RunTasks => Set<RunTaskRecord>();

    public DbSet<RunEdgeRecord> RunEdges => Set<RunEdgeRecord>();

    public DbSet<AttemptEntity> Attempts => Set<AttemptEntity>();

    public DbSet<AttemptLogLine> AttemptLogLines => Set<AttemptLogLine>();

    public DbSet<HostRecord> Hosts => Set<HostRecord>();

    public DbSet<MarkerRecord> Markers => Set<MarkerRecord>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<ScheduleRecord> Schedules => Set<ScheduleRecord>();

    public DbSet<BackfillRecord> Backfills => Set<BackfillRecord>();

    public DbSet<BackfillDateRecord> BackfillDates => Set<BackfillDateRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(LuigiDbContext).Assembly);
}

/// <summary>The model on PostgreSQL: the production store, shared by several hosts.</summary>
public sealed class PostgresLuigiDbContext(DbContextOptions<PostgresLuigiDbContext> options) : LuigiDbContext(options);

/// <summary>The model on SQLite: the embedded zero-setup store of a single host.</summary>
public sealed class SqliteLuigiDbContext(DbContextOptions<SqliteLuigiDbContext> options) : LuigiDbContext(options)
{
    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // SQLite cannot add a stored column to a table that exists; a virtual one serves its indexes as well (it has no heap-only updates to win).
        modelBuilder.Entity<RunTaskRecord>().Property<bool>(Configurations.RunTaskRecordConfiguration.IsReady)
            .HasComputedColumnSql(Configurations.RunTaskRecordConfiguration.IsReadySql, stored: false);
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        // SQLite keeps no time zone: every time is written and read back as UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
}
