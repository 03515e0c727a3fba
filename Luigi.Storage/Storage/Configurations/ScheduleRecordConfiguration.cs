using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Engine.Storage.Configurations;

internal sealed class ScheduleRecordConfiguration : IEntityTypeConfiguration<ScheduleRecord>
{
    public void Configure(EntityTypeBuilder<ScheduleRecord> schedule)
    {
        schedule.ToTable("schedules");
        schedule.HasKey(s => s.Name);
        schedule.Property(s => s.Name).HasMaxLength(100);
        schedule.Property(s => s.Pipeline).HasMaxLength(200);
        schedule.Property(s => s.Cron).HasMaxLength(200);
        schedule.Property(s => s.TimeZone).HasMaxLength(100);
        schedule.Property(s => s.Parameters).AsJson();
        schedule.Property(s => s.FireTimeParameter).HasMaxLength(200);
        schedule.Property(s => s.FireTimeOffset).HasMaxLength(20);
        schedule.Property(s => s.CatchUp).AsName();
        schedule.Property(s => s.LastResult).HasConversion<string>().HasMaxLength(24);
        schedule.Property(s => s.LastError).HasMaxLength(4000);
        schedule.Property(s => s.UpdatedBy).HasMaxLength(200);
        schedule.Property(s => s.Version).IsConcurrencyToken();
        schedule.HasIndex(s => s.Pipeline);
    }
}
