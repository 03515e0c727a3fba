using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "hosts",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    workers = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    heartbeat_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    stopped_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_hosts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pipeline = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    parent_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    rerun_scope = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    rerun_task_id = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    resolved_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    task_count = table.Column<int>(type: "INTEGER", nullable: false),
                    unfinished_count = table.Column<int>(type: "INTEGER", nullable: false),
                    summary = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "table_updates",
                columns: table => new
                {
                    update_id = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    target_table = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    inserted_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_table_updates", x => x.update_id);
                });

            migrationBuilder.CreateTable(
                name: "run_edges",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    requirement_index = table.Column<int>(type: "INTEGER", nullable: false),
                    dependent_index = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_edges", x => new { x.run_id, x.requirement_index, x.dependent_index });
                    table.ForeignKey(
                        name: "fk_run_edges_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_tasks",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    task_index = table.Column<int>(type: "INTEGER", nullable: false),
                    task_id = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    family = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    parameters = table.Column<string>(type: "TEXT", nullable: false),
                    is_root = table.Column<bool>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    priority = table.Column<int>(type: "INTEGER", nullable: false),
                    critical_path = table.Column<double>(type: "REAL", nullable: false),
                    remaining_requirements = table.Column<int>(type: "INTEGER", nullable: false),
                    attempt_count = table.Column<int>(type: "INTEGER", nullable: false),
                    not_before = table.Column<DateTime>(type: "TEXT", nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    host_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    worker = table.Column<int>(type: "INTEGER", nullable: true),
                    lease_expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    error_summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    blocked_by = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_run_tasks", x => new { x.run_id, x.task_index });
                    table.ForeignKey(
                        name: "fk_run_tasks_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "attempts",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    task_index = table.Column<int>(type: "INTEGER", nullable: false),
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    host_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    worker = table.Column<int>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    truncated_log_lines = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attempts", x => new { x.run_id, x.task_index, x.number });
                    table.ForeignKey(
                        name: "fk_attempts_run_tasks_run_id_task_index",
                        columns: x => new { x.run_id, x.task_index },
                        principalTable: "run_tasks",
                        principalColumns: new[] { "run_id", "task_index" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "attempt_log_lines",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    task_index = table.Column<int>(type: "INTEGER", nullable: false),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    level = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attempt_log_lines", x => new { x.run_id, x.task_index, x.attempt, x.sequence });
                    table.ForeignKey(
                        name: "fk_attempt_log_lines_attempts_run_id_task_index_attempt",
                        columns: x => new { x.run_id, x.task_index, x.attempt },
                        principalTable: "attempts",
                        principalColumns: new[] { "run_id", "task_index", "number" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_hosts_heartbeat_at",
                table: "hosts",
                column: "heartbeat_at");

            migrationBuilder.CreateIndex(
                name: "ix_run_edges_run_id_dependent_index",
                table: "run_edges",
                columns: new[] { "run_id", "dependent_index" });

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready",
                table: "run_tasks",
                columns: new[] { "priority", "critical_path", "task_index" },
                descending: new[] { true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_run_id_state",
                table: "run_tasks",
                columns: new[] { "run_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_run_id_task_id",
                table: "run_tasks",
                columns: new[] { "run_id", "task_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_state_lease_expires_at",
                table: "run_tasks",
                columns: new[] { "state", "lease_expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_runs_created_at",
                table: "runs",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_runs_parent_run_id",
                table: "runs",
                column: "parent_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_runs_pipeline_created_at",
                table: "runs",
                columns: new[] { "pipeline", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_runs_state_created_at",
                table: "runs",
                columns: new[] { "state", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "attempt_log_lines");

            migrationBuilder.DropTable(
                name: "hosts");

            migrationBuilder.DropTable(
                name: "run_edges");

            migrationBuilder.DropTable(
                name: "table_updates");

            migrationBuilder.DropTable(
                name: "attempts");

            migrationBuilder.DropTable(
                name: "run_tasks");

            migrationBuilder.DropTable(
                name: "runs");
        }
    }
}
