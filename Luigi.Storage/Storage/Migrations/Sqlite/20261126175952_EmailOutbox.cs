using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "email_outbox",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    window_start = table.Column<DateTime>(type: "TEXT", nullable: true),
                    window_end = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    recipients = table.Column<string>(type: "TEXT", nullable: true),
                    subject = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    text_body = table.Column<string>(type: "TEXT", nullable: true),
                    html_body = table.Column<string>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    skipped_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    last_error_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    claimed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_outbox", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_failed",
                table: "run_tasks",
                column: "finished_at",
                filter: "state = 'Failed'");

            migrationBuilder.CreateIndex(
                name: "ix_email_outbox_key",
                table: "email_outbox",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_email_outbox_pending",
                table: "email_outbox",
                column: "next_attempt_at",
                filter: "sent_at IS NULL AND skipped_reason IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_email_outbox_run_id",
                table: "email_outbox",
                column: "run_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_outbox");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_failed",
                table: "run_tasks");
        }
    }
}
