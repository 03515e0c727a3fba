using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TaskExclusion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "forced",
                table: "run_tasks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "recheck",
                table: "run_tasks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "resources",
                table: "run_tasks",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready_resources",
                table: "run_tasks",
                columns: new[] { "priority", "critical_path", "task_index" },
                descending: new[] { true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0 AND resources IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_waiting",
                table: "run_tasks",
                column: "task_id",
                filter: "state = 'Waiting'");

            migrationBuilder.CreateIndex(
                name: "ux_run_tasks_running_task",
                table: "run_tasks",
                column: "task_id",
                unique: true,
                filter: "state = 'Running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready_resources",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_waiting",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ux_run_tasks_running_task",
                table: "run_tasks");

            migrationBuilder.DropColumn(
                name: "forced",
                table: "run_tasks");

            migrationBuilder.DropColumn(
                name: "recheck",
                table: "run_tasks");

            migrationBuilder.DropColumn(
                name: "resources",
                table: "run_tasks");
        }
    }
}
