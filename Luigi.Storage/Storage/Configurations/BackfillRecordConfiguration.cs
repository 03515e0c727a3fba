using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class BackfillRecordConfiguration : IEntityTypeConfiguration<BackfillRecord>
{
    public void Configure(EntityTypeBuilder<BackfillRecord> backfill)
    {
        backfill.ToTable("backfills");
        backfill.HasKey(b => b.Id);
        backfill.Property(b => b.Pipeline).HasMaxLength(200);
        backfill.Property(b => b.DateParameter).HasMaxLength(200);
        backfill.Property(b => b.Parameters).AsJson();
        backfill.Property(b => b.RequestedBy).HasMaxLength(200);
        backfill.HasIndex(b => b.CreatedAt);
        backfill.HasIndex(b => new { b.Pipeline, b.CreatedAt });
    }
}
