using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Schedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "backfill_id",
                table: "runs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "fire_at",
                table: "runs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "schedule_name",
                table: "runs",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "run_id",
                table: "audit_entries",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddColumn<Guid>(
                name: "backfill_id",
                table: "audit_entries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "schedule_name",
                table: "audit_entries",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "backfill_dates",
                columns: table => new
                {
                    backfill_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backfill_dates", x => new { x.backfill_id, x.date });
                });

            migrationBuilder.CreateTable(
                name: "backfills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pipeline = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    date_parameter = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    from = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    to = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    max_concurrent_runs = table.Column<int>(type: "INTEGER", nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backfills", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "schedules",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    pipeline = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    cron = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    fire_time_parameter = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    fire_time_offset = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    catch_up = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    catch_up_limit = table.Column<int>(type: "INTEGER", nullable: false),
                    skip_while_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    declared_in_code = table.Column<bool>(type: "INTEGER", nullable: false),
                    code_declaration = table.Column<string>(type: "TEXT", nullable: true),
                    deleted = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    last_fire_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    last_result = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    last_tick_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schedules", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_runs_backfill_id",
                table: "runs",
                column: "backfill_id");

            migrationBuilder.CreateIndex(
                name: "ix_runs_schedule_name_fire_at",
                table: "runs",
                columns: new[] { "schedule_name", "fire_at" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_schedule_name_at",
                table: "audit_entries",
                columns: new[] { "schedule_name", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_backfills_created_at",
                table: "backfills",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_backfills_pipeline_created_at",
                table: "backfills",
                columns: new[] { "pipeline", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_schedules_pipeline",
                table: "schedules",
                column: "pipeline");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "backfill_dates");

            migrationBuilder.DropTable(
                name: "backfills");

            migrationBuilder.DropTable(
                name: "schedules");

            migrationBuilder.DropIndex(
                name: "ix_runs_backfill_id",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_schedule_name_fire_at",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_schedule_name_at",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "backfill_id",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "fire_at",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "schedule_name",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "backfill_id",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "schedule_name",
                table: "audit_entries");

            migrationBuilder.AlterColumn<Guid>(
                name: "run_id",
                table: "audit_entries",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
