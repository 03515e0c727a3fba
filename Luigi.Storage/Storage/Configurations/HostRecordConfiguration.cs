using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class HostRecordConfiguration : IEntityTypeConfiguration<HostRecord>
{
    public void Configure(EntityTypeBuilder<HostRecord> host)
    {
        host.ToTable("hosts");
        host.HasKey(h => h.Id);
        host.Property(h => h.Id).HasMaxLength(200);
        host.Property(h => h.Name).HasMaxLength(200);
        host.HasIndex(h => h.HeartbeatAt);
    }
}
