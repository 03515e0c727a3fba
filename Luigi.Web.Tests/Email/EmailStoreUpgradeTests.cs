using Luigi.Engine.Storage;
using Luigi.Web.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Email;

/// <summary>
/// A database whose outbox the run store's model kept (the migration before it moved to the web host's own model), with
/// an e-mail still to send, upgraded: the message is still there and goes out.
/// </summary>
public sealed class EmailStoreUpgradeTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"luigi-upgrade-{Guid.NewGuid():N}.db");

    [Theory]
    [InlineData(StoreProvider.Postgres)]
    [InlineData(StoreProvider.Sqlite)]
    public async Task APendingEmailOfTheStoresOutbox_IsKeptAndClaimedAfterTheUpgrade(StoreProvider provider)
    {
        var store = LuigiStore.Create(new StoreOptions
        {
            Provider = provider,
            ConnectionString = provider == StoreProvider.Postgres ? await postgres.CreateDatabaseAsync() : $"Data Source={_file};Pooling=False",
        });
        var due = new DateTime(2026, 12, 4, 23, 0, 0, DateTimeKind.Utc);
        var id = Guid.NewGuid();
        await using (var context = store.CreateDbContext())
        {
            var migrations = context.Database.GetMigrations().ToList();
            var moved = migrations.FindIndex(m => m.EndsWith("_EmailOutboxMovesToTheWebHost", StringComparison.Ordinal));
            await context.GetService<IMigrator>().MigrateAsync(migrations[moved - 1]);
            // Written as the store's model wrote it then (SQLite keeps GUIDs and times as text).
            object key = provider == StoreProvider.Postgres ? id : id.ToString().ToUpperInvariant();
            object at = provider == StoreProvider.Postgres ? due : due.ToString("yyyy-MM-dd HH:mm:ss");
            await context.Database.ExecuteSqlAsync($"""
                INSERT INTO email_outbox (id, key, kind, created_at, next_attempt_at, attempts, subject)
                VALUES ({key}, 'test:before-the-upgrade', 'Test', {at}, {at}, 0, 'Written before the upgrade')
                """);
        }

        var emails = new EmailStore(store);
        await emails.MigrateAsync();

        var outbox = new EmailOutbox(emails, new FakeTimeProvider(new DateTimeOffset(due.AddMinutes(1))));
        Assert.Equal(1, await outbox.PendingCountAsync(CancellationToken.None));
        var message = Assert.Single(await outbox.ClaimAsync("host-1", 10, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal((id, "test:before-the-upgrade", EmailKind.Test, "Written before the upgrade"), (message.Id, message.Key, message.Kind, message.Subject));
        await using var history = emails.CreateDbContext();
        Assert.Empty(await history.Database.GetPendingMigrationsAsync());
    }

    public void Dispose()
    {
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(path);
        }
    }
}
