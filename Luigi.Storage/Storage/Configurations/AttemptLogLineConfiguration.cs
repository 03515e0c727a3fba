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
        line.HasOne<AttemptEntity>().WithMany().HasForeignKey(l => new { l.RunId, l.TaskIndex, l.Attempt }).OnDelete(DeleteBehavior.Cascade);
        line.Property(l => l.Level).AsName();
    }
}
