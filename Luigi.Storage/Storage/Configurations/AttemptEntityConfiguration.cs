using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class AttemptEntityConfiguration : IEntityTypeConfiguration<AttemptEntity>
{
    public void Configure(EntityTypeBuilder<AttemptEntity> attempt)
    {
        attempt.ToTable("attempts");
        attempt.HasKey(a => new { a.RunId, a.TaskIndex, a.Number });
        // No foreign key to run_tasks: an attempt's row is written by the commit of its outcome, from its task's row (so the
        // task exists), and retention deletes attempts before their tasks; checked row by row, the key cost the 100,000-task
        // run about a tenth of PostgreSQL's time (decisions.md).
        attempt.Property(a => a.Outcome).AsName();
        attempt.Property(a => a.HostId).HasMaxLength(200);
    }
}
