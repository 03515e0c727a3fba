using Npgsql;

namespace Luigi.Web.Tests.Infrastructure;

public sealed class PostgresServerTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task CreateDatabaseAsync_GivesEachCallerAnIsolatedDurableDatabase()
    {
        var first = await server.CreateDatabaseAsync();
        var second = await server.CreateDatabaseAsync();

        await ScalarAsync(first, "CREATE TABLE runs (id int PRIMARY KEY); INSERT INTO runs VALUES (1), (2)");

        Assert.Equal(2L, await ScalarAsync(first, "SELECT count(*) FROM runs"));
        Assert.Equal(true, await ScalarAsync(second, "SELECT to_regclass('runs') IS NULL"));
        Assert.NotEqual(
            await ScalarAsync(first, "SELECT current_database()"),
            await ScalarAsync(second, "SELECT current_database()"));
        Assert.Equal("on", await ScalarAsync(first, "SHOW fsync"));
        Assert.Equal("on", await ScalarAsync(first, "SHOW synchronous_commit"));
    }

    [Fact]
    public async Task DisposeAsync_DropsTheDatabasesItCreated_EvenWithConnectionsOpen()
    {
        var other = new PostgresServer();
        await other.InitializeAsync();
        var connectionString = await other.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var open = new NpgsqlConnection(connectionString);
        await open.OpenAsync();

        await other.DisposeAsync();

        var sql = $"SELECT count(*) FROM pg_database WHERE datname = '{name}'";
        Assert.Equal(0L, await ScalarAsync(server.AdminConnectionString, sql));
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
