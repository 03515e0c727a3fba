using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Web.Email.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailOutbox : Migration
    {
        /// <inheritdoc />
        /// <remarks>
        /// The run store's migrations made this table before it moved here, and a database upgraded from then holds its
        /// pending messages: the table and its indexes are made only where they are missing, so an upgrade adopts them as
        /// they are (the same columns, types and indexes as the model) and loses nothing.
        /// </remarks>
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE IF NOT EXISTS email_outbox (
                    "id" TEXT NOT NULL,
                    "key" TEXT NOT NULL,
                    "kind" TEXT NOT NULL,
                    "run_id" TEXT NULL,
                    "window_start" TEXT NULL,
                    "window_end" TEXT NULL,
                    "created_at" TEXT NOT NULL,
                    "next_attempt_at" TEXT NOT NULL,
                    "recipients" TEXT NULL,
                    "subject" TEXT NULL,
                    "text_body" TEXT NULL,
                    "html_body" TEXT NULL,
                    "attempts" INTEGER NOT NULL,
                    "sent_at" TEXT NULL,
                    "skipped_reason" TEXT NULL,
                    "last_error" TEXT NULL,
                    "last_error_at" TEXT NULL,
                    "claimed_by" TEXT NULL,
                    "claimed_until" TEXT NULL,
                    CONSTRAINT pk_email_outbox PRIMARY KEY (id)
                );
                CREATE UNIQUE INDEX IF NOT EXISTS ix_email_outbox_key ON email_outbox (key);
                CREATE INDEX IF NOT EXISTS ix_email_outbox_pending ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND skipped_reason IS NULL;
                CREATE INDEX IF NOT EXISTS ix_email_outbox_run_id ON email_outbox (run_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_outbox");
        }
    }
}
