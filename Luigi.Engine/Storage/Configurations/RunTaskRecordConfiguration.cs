using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class RunTaskRecordConfiguration : IEntityTypeConfiguration<RunTaskRecord>
{
    public void Configure(EntityTypeBuilder<RunTaskRecord> task)
    {
        task.ToTable("run_tasks");
        task.HasKey(t => new { t.RunId, t.TaskIndex });
        task.HasOne<RunRecord>().WithMany().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.Cascade);
        task.Property(t => t.TaskId).HasMaxLength(2000);
        task.Property(t => t.Family).HasMaxLength(200);
        task.Property(t => t.Parameters).AsJson();
        task.Property(t => t.State).AsName();
        task.Property(t => t.HostId).HasMaxLength(200);
        task.Property(t => t.ErrorSummary).HasMaxLength(2000);
        task.Property(t => t.BlockedBy).HasMaxLength(2000);
        task.HasIndex(t => new { t.RunId, t.TaskId }).IsUnique();
        task.HasIndex(t => new { t.RunId, t.State });
        task.HasIndex(t => new { t.State, t.LeaseExpiresAt });

        // The claim query's path: ready tasks, best first, found without a scan (same SQL on both providers).
        task.HasIndex(t => new { t.Priority, t.CriticalPath, t.TaskIndex })
            .IsDescending(true, true, false)
            .HasFilter("state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0")
            .HasDatabaseName("ix_run_tasks_ready");
    }
}
