using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HotPathIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_tasks_run_id_state",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_run_id_task_id",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_state_lease_expires_at",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_edges_run_id_dependent_index",
                table: "run_edges");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_ready_by_run",
                table: "run_tasks",
                columns: new[] { "run_id", "priority", "critical_path", "task_index" },
                descending: new[] { false, true, true, false },
                filter: "state IN ('Pending', 'RetryWaiting') AND remaining_requirements = 0");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_running_lease",
                table: "run_tasks",
                column: "lease_expires_at",
                filter: "state = 'Running'");

            migrationBuilder.CreateIndex(
                name: "ix_run_tasks_task_id_run_id",
                table: "run_tasks",
                columns: new[] { "task_id", "run_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_run_edges_dependent_index_run_id",
                table: "run_edges",
                columns: new[] { "dependent_index", "run_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_run_tasks_ready_by_run",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_running_lease",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_tasks_task_id_run_id",
                table: "run_tasks");

            migrationBuilder.DropIndex(
                name: "ix_run_edges_dependent_index_run_id",
                table: "run_edges");

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
                name: "ix_run_edges_run_id_dependent_index",
                table: "run_edges",
                columns: new[] { "run_id", "dependent_index" });
        }
    }
}
