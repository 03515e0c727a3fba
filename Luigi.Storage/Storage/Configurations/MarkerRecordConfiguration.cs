using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class MarkerRecordConfiguration : IEntityTypeConfiguration<MarkerRecord>
{
    public void Configure(EntityTypeBuilder<MarkerRecord> marker)
    {
        marker.ToTable("table_updates");
        marker.HasKey(m => m.UpdateId);
        marker.Property(m => m.UpdateId).HasMaxLength(2000);
        marker.Property(m => m.TargetTable).HasMaxLength(200);
    }
}
