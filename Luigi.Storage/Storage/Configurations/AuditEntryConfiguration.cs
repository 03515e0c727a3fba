using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("audit_entries");
        entry.HasKey(e => e.Id);
        entry.Property(e => e.Actor).HasMaxLength(200);
        entry.Property(e => e.Action).HasConversion<string>().HasMaxLength(24);
        entry.Property(e => e.Via).AsName();
        entry.Property(e => e.Details).HasMaxLength(4000);
        entry.Property(e => e.ClientAddress).HasMaxLength(AuditOrigin.MaxLength);
        entry.HasIndex(e => new { e.RunId, e.At });
        entry.Property(e => e.ScheduleName).HasMaxLength(100);
        entry.HasIndex(e => new { e.ScheduleName, e.At });
    }
}
