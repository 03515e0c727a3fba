using Npgsql;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of the test run, named by the <c>LUIGI_TEST_POSTGRES</c> connection string
/// (<c>./test.sh</c> starts a throwaway server and sets it). Each test takes a fresh database of its own
/// from <see cref="CreateDatabaseAsync"/>, so tests never see each other's rows and may run in parallel;
/// the databases an instance created are dropped, with their open connections, when it is disposed.
/// Without the variable, or when the server does not answer, every test using this fixture fails with a
/// message saying so: it never skips, so a run without a database cannot pass unnoticed.
/// </summary>
/// <remarks>
/// Use it as a class fixture (<c>IClassFixture&lt;PostgresServer&gt;</c>). The connection string must
/// name a role that may create and drop databases; its database is only used to issue those commands.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string VariableName = "LUIGI_TEST_POSTGRES";

    private readonly List<string> _databases = [];
    private readonly Lock _databasesLock = new();
    private string? _adminConnectionString;

    /// <summary>The connection string given in <c>LUIGI_TEST_POSTGRES</c>.</summary>
    public string AdminConnectionString =>
        _adminConnectionString ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(VariableName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{VariableName} is not set, and these tests need a PostgreSQL server. Run them with ./test.sh, " +
                $"which starts a throwaway one, or set {VariableName} to the Npgsql connection string of a server " +
                "where the user may create databases, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=...");
        }

        _adminConnectionString = connectionString;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Cannot connect to the PostgreSQL server in {VariableName} ({Describe(connectionString)}): " +
                e.Message, e);
        }
    }

    /// <summary>
    /// Creates an empty database with a unique name (<c>luigi_test_&lt;guid&gt;</c>) and returns a connection
    /// string to it, with the credentials of <see cref="AdminConnectionString"/>.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"luigi_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}", cancellationToken);
        lock (_databasesLock)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        string[] names;
        lock (_databasesLock)
        {
            names = [.. _databases];
            _databases.Clear();
        }

        foreach (var name in names)
        {
            using (var pooled = new NpgsqlConnection(
                new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }

            await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}, user {builder.Username}";
        }
        catch (ArgumentException)
        {
            return "not a valid connection string";
        }
    }
}
