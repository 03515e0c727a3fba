using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class NoAttemptForeignKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_attempt_log_lines_attempts_run_id_task_index_attempt",
                table: "attempt_log_lines");

            migrationBuilder.DropForeignKey(
                name: "fk_attempts_run_tasks_run_id_task_index",
                table: "attempts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKey(
                name: "fk_attempt_log_lines_attempts_run_id_task_index_attempt",
                table: "attempt_log_lines",
                columns: new[] { "run_id", "task_index", "attempt" },
                principalTable: "attempts",
                principalColumns: new[] { "run_id", "task_index", "number" },
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_attempts_run_tasks_run_id_task_index",
                table: "attempts",
                columns: new[] { "run_id", "task_index" },
                principalTable: "run_tasks",
                principalColumns: new[] { "run_id", "task_index" },
                onDelete: ReferentialAction.Cascade);
        }
    }
}
