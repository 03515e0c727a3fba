using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class BackfillDateRecordConfiguration : IEntityTypeConfiguration<BackfillDateRecord>
{
    public void Configure(EntityTypeBuilder<BackfillDateRecord> date)
    {
        date.ToTable("backfill_dates");
        date.HasKey(d => new { d.BackfillId, d.Date });
        date.Property(d => d.State).AsName();
    }
}
