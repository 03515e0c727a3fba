using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class RunTaskRecordConfiguration : IEntityTypeConfiguration<RunTaskRecord>
{
    /// <summary>The shadow property of column <c>is_ready</c>: no requirement left (<c>remaining_requirements = 0</c>).</summary>
    public const string IsReady = "IsReady";

    /// <summary>What column <c>is_ready</c> computes, on both providers (stored on PostgreSQL, virtual on SQLite).</summary>
    public const string IsReadySql = "remaining_requirements = 0";

    public void Configure(EntityTypeBuilder<RunTaskRecord> task)
    {
        task.ToTable("run_tasks");
        task.HasKey(t => new { t.RunId, t.TaskIndex });
        // No foreign key to runs: a graph's rows are written by one COPY in the transaction that starts their run, and retention
        // deletes them before the run; checked row by row, the key cost the COPY of a 100,000-task graph about a second (decisions.md).
        task.Property(t => t.TaskId).HasMaxLength(2000);
        task.Property(t => t.Family).HasMaxLength(200);
        task.Property(t => t.Parameters).AsJson();
        task.Property(t => t.State).AsName();
        task.Property(t => t.HostId).HasMaxLength(200);
        task.Property(t => t.ErrorSummary).HasMaxLength(2000);
        task.Property(t => t.BlockedBy).HasMaxLength(2000);
        // No other index starts with run_id unless it is partial: the statistics of a run just written say it has
        // no rows, and an index on (run_id, ...) then looks as good as the key for finding one task, so the
        // planner may pick it and read every task of the run for each lookup (claims, outcomes, foreign-key checks).
        task.HasIndex(t => new { t.TaskId, t.RunId }).IsUnique();

        // Whether every requirement is done, kept by the database, so that the indexes of ready tasks name this column and not the
        // count: counting a requirement down that is not the last then changes no indexed value, and PostgreSQL writes it as a
        // heap-only update (no new entry in any index) when the row's page has room, which the fill factor leaves. In a layered
        // graph that is about one write in four of a task's rows (docs/decisions.md). Stored on PostgreSQL; SQLite adds it virtual.
        task.Property<bool>(IsReady).HasComputedColumnSql(IsReadySql, stored: true);
        task.HasStorageParameter("fillfactor", 60);

        // The claim's path: ready tasks, best first, found without a scan (same SQL on both providers); across
        // runs, or within the one run a host works on.
        const string ready = "state IN ('Pending', 'RetryWaiting') AND is_ready";
        task.HasIndex(t => new { t.Priority, t.CriticalPath, t.TaskIndex })
            .IsDescending(true, true, false)
            .HasFilter(ready)
            .HasDatabaseName("ix_run_tasks_ready");
        task.HasIndex(t => new { t.RunId, t.Priority, t.CriticalPath, t.TaskIndex })
            .IsDescending(false, true, true, false)
            .HasFilter(ready)
            .HasDatabaseName("ix_run_tasks_ready_by_run");

        // One attempt of a task id at a time, across every run and host of the store: the database refuses a second
        // running row with the same task id, whatever the executor does. Only running rows are indexed (a handful), so it is
        // also how the sweep of expired leases finds the running tasks: an index of its own on their leases cost every claim
        // one more index entry per task, for a statement that runs every few seconds (docs/decisions.md).
        task.HasIndex(t => t.TaskId, "ux_run_tasks_running_task")
            .IsUnique()
            .HasFilter("state = 'Running'")
            .HasDatabaseName("ux_run_tasks_running_task");

        // The tasks waiting for another run's attempt of their task id, found by task id when that attempt ends.
        task.HasIndex(t => t.TaskId, "ix_run_tasks_waiting")
            .HasFilter("state = 'Waiting'")
            .HasDatabaseName("ix_run_tasks_waiting");

        // Ready tasks that need resources, claimed apart under the resources' lock (rare: most tasks need none).
        task.HasIndex(t => new { t.Priority, t.CriticalPath, t.TaskIndex }, "ix_run_tasks_ready_resources")
            .IsDescending(true, true, false)
            .HasFilter("state IN ('Pending', 'RetryWaiting') AND is_ready AND resources IS NOT NULL")
            .HasDatabaseName("ix_run_tasks_ready_resources");

        // Failure e-mail finds recent final failures without a scan; failures are rare, so the index costs little.
        task.HasIndex(t => t.FinishedAt)
            .HasFilter("state = 'Failed'")
            .HasDatabaseName("ix_run_tasks_failed");
    }
}
