using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Sqlite
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

            migrationBuilder.AddColumn<bool>(
                name: "is_ready",
                table: "run_tasks",
                type: "INTEGER",
                nullable: false,
                computedColumnSql: "remaining_requirements = 0",
                stored: false);

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
