using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FewerIndexWritesPerTask : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready_by_run",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready_resources",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_running_lease",
                table: "run_tasks");

            migrationBuilder.AlterTable(
                name: "run_tasks")
                .Annotation("Npgsql:StorageParameter:fillfactor", 60);

            migrationBuilder.AddColumn<bool>(
                name: "is_ready",
                table: "run_tasks",
                type: "boolean",
                nullable: false,
                computedColumnSql: "remaining_requirements = 0",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready",
                table: "run_tasks",
                columns: new[] { "priority", "critical_path", "task_index" },
                descending: new[] { true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND is_ready");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready_by_run",
                table: "run_tasks",
                columns: new[] { "run_id", "priority", "critical_path", "task_index" },
                descending: new[] { false, true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND is_ready");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready_resources",
                table: "run_tasks",
                columns: new[] { "priority", "critical_path", "task_index" },
                descending: new[] { true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND is_ready AND resources IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready_by_run",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready_resources",
                table: "run_tasks");

            migrationBuilder.DropColumn(
                name: "is_ready",
                table: "run_tasks");

            migrationBuilder.AlterTable(
                name: "run_tasks")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 60);

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready",
                table: "run_tasks",
                columns: new[] { "priority", "critical_path", "task_index" },
                descending: new[] { true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready_by_run",
                table: "run_tasks",
                columns: new[] { "run_id", "priority", "critical_path", "task_index" },
                descending: new[] { false, true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready_resources",
                table: "run_tasks",
                columns: new[] { "priority", "critical_path", "task_index" },
                descending: new[] { true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0 AND resources IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_running_lease",
                table: "run_tasks",
                column: "lease_expires_at",
                filter: "state = 'Running'");
        }
    }
}
