using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Web.Email.Migrations.Postgres
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
                    id uuid NOT NULL,
                    key character varying(200) NOT NULL,
                    kind character varying(24) NOT NULL,
                    run_id uuid NULL,
                    window_start timestamp with time zone NULL,
                    window_end timestamp with time zone NULL,
                    created_at timestamp with time zone NOT NULL,
                    next_attempt_at timestamp with time zone NOT NULL,
                    recipients text NULL,
                    subject character varying(1000) NULL,
                    text_body text NULL,
                    html_body text NULL,
                    attempts integer NOT NULL,
                    sent_at timestamp with time zone NULL,
                    skipped_reason character varying(1000) NULL,
                    last_error text NULL,
                    last_error_at timestamp with time zone NULL,
                    claimed_by character varying(200) NULL,
                    claimed_until timestamp with time zone NULL,
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
