using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Luigi.Web.Email;

internal sealed class EmailOutboxRecordConfiguration : IEntityTypeConfiguration<EmailOutboxRecord>
{
    public void Configure(EntityTypeBuilder<EmailOutboxRecord> message)
    {
        message.ToTable("email_outbox");
        message.HasKey(m => m.Id);
        message.Property(m => m.Key).HasMaxLength(200);
        message.HasIndex(m => m.Key).IsUnique();
        message.Property(m => m.Kind).HasConversion<string>().HasMaxLength(24); // by name, as the store keeps its enums
        message.Property(m => m.Subject).HasMaxLength(1000);
        message.Property(m => m.SkippedReason).HasMaxLength(1000);
        message.Property(m => m.ClaimedBy).HasMaxLength(200);
        message.HasIndex(m => m.RunId);

        // The sender's path: messages still to send, by when they are due.
        message.HasIndex(m => m.NextAttemptAt)
            .HasFilter("sent_at IS NULL AND skipped_reason IS NULL")
            .HasDatabaseName("ix_email_outbox_pending");
    }
}
