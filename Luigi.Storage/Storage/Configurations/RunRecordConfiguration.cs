using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class RunRecordConfiguration : IEntityTypeConfiguration<RunRecord>
{
    public void Configure(EntityTypeBuilder<RunRecord> run)
    {
        run.ToTable("runs");
        run.HasKey(r => r.Id);
        run.Property(r => r.Pipeline).HasMaxLength(200);
        run.Property(r => r.Parameters).AsJson();
        run.Property(r => r.Trigger).AsName();
        run.Property(r => r.RerunScope).HasConversion<string>().HasMaxLength(24);
        run.Property(r => r.State).AsName();
        run.Property(r => r.RequestedBy).HasMaxLength(200);
        run.Property(r => r.RerunTaskId).HasMaxLength(2000);
        run.Property(r => r.ResolvedBy).HasMaxLength(200);
        run.HasIndex(r => r.CreatedAt);
        run.HasIndex(r => new { r.State, r.CreatedAt });
        run.HasIndex(r => new { r.Pipeline, r.CreatedAt });
        run.HasIndex(r => r.ParentRunId);
        run.Property(r => r.ScheduleName).HasMaxLength(100);
        // One run per schedule and fire time, whatever the number of hosts (NULLs, the runs of no schedule, are distinct).
        run.HasIndex(r => new { r.ScheduleName, r.FireAt }).IsUnique();
        run.HasIndex(r => r.BackfillId);
    }
}
