using Microsoft.EntityFrameworkCore.Design;

namespace Luigi.Engine.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresLuigiDbContext>
{
    public PostgresLuigiDbContext CreateDbContext(string[] args) =>
        (PostgresLuigiDbContext)LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = "Host=localhost" }).CreateDbContext();
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteLuigiDbContext>
{
    public SqliteLuigiDbContext CreateDbContext(string[] args) =>
        (SqliteLuigiDbContext)LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Sqlite, ConnectionString = "Data Source=:memory:" }).CreateDbContext();
}
