using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Luigi.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EmailOutboxMovesToTheWebHost : Migration
    {
        /// <inheritdoc />
        /// <remarks>
        /// The outbox moved to the web host's own model (Luigi.Web/Email, EmailDbContext), whose first migration adopts this
        /// table where it exists. The store stops mapping it and leaves it, with its pending messages, where it is.
        /// </remarks>
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
