using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class AttemptLogLineConfiguration : IEntityTypeConfiguration<AttemptLogLine>
{
    public void Configure(EntityTypeBuilder<AttemptLogLine> line)
    {
        line.ToTable("attempt_log_lines");
        line.HasKey(l => new { l.RunId, l.TaskIndex, l.Attempt, l.Sequence });
        // No foreign key to attempts, as for attempts to their tasks (AttemptEntityConfiguration): lines are written with their
        // attempt's row, joined to it, and retention deletes them first.
        line.Property(l => l.Level).AsName();
    }
}
