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
        attempt.HasOne<RunTaskRecord>().WithMany().HasForeignKey(a => new { a.RunId, a.TaskIndex }).OnDelete(DeleteBehavior.Cascade);
        attempt.Property(a => a.Outcome).AsName();
        attempt.Property(a => a.HostId).HasMaxLength(200);
    }
}
