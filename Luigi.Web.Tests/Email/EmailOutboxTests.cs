using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Email;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Web.Tests.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Luigi.Web.Tests.Email;

/// <summary>The outbox shared by hosts, on both stores, with a fake clock for claims, retries and retention.</summary>
public sealed class EmailOutboxTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(2);
    private readonly StoreFactory _stores = new(postgres);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(StoreProvider.Postgres)]
    [InlineData(StoreProvider.Sqlite)]
    public async Task AMessageIsAddedOncePerKey_AndClaimedByOneHostAtATime_UntilItsClaimExpires(StoreProvider provider)
    {
        var outbox = new EmailOutbox(await EmailStoreAsync(provider), _time);

        Assert.True(await outbox.AddAsync(Message("summary:1"), CancellationToken.None));
        Assert.False(await outbox.AddAsync(Message("summary:1"), CancellationToken.None));
        var first = await outbox.ClaimAsync("host-1", 10, ClaimTimeout, CancellationToken.None);
        var second = await outbox.ClaimAsync("host-2", 10, ClaimTimeout, CancellationToken.None);
        _time.Advance(ClaimTimeout + TimeSpan.FromSeconds(1));
        var afterHost1Died = await outbox.ClaimAsync("host-2", 10, ClaimTimeout, CancellationToken.None);

        Assert.Equal("summary:1", Assert.Single(first).Key);
        Assert.Empty(second);
        Assert.Equal("host-2", Assert.Single(afterHost1Died).ClaimedBy);
    }

    [Theory]
    [InlineData(StoreProvider.Postgres)]
    [InlineData(StoreProvider.Sqlite)]
    public async Task AFailedDeliveryWaitsForItsNextTry_ThenTheSentMessageIsPurgedAfterRetention(StoreProvider provider)
    {
        var outbox = new EmailOutbox(await EmailStoreAsync(provider), _time);
        await outbox.AddAsync(Message("test:1"), CancellationToken.None);
        var message = Assert.Single(await outbox.ClaimAsync("host-1", 10, ClaimTimeout, CancellationToken.None));

        await outbox.MarkFailedAsync(message.Id, "SocketException: Connection refused", _time.GetUtcNow().UtcDateTime.AddSeconds(20), CancellationToken.None);
        var failing = await outbox.GetStatusAsync(true, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(19));
        var tooEarly = await outbox.ClaimAsync("host-1", 10, ClaimTimeout, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var retried = Assert.Single(await outbox.ClaimAsync("host-1", 10, ClaimTimeout, CancellationToken.None));
        await outbox.MarkSentAsync(retried.Id, CancellationToken.None);
        var sent = await outbox.GetStatusAsync(true, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(30));

        Assert.Equal((1, "SocketException: Connection refused", true), (failing.Pending, failing.LastError, failing.Failing));
        Assert.Empty(tooEarly);
        Assert.Equal(1, retried.Attempts);
        Assert.Equal((0, false), (sent.Pending, sent.Failing));
        Assert.Equal(0, await outbox.PurgeAsync(_time.GetUtcNow().UtcDateTime.AddDays(-31), CancellationToken.None));
        Assert.Equal(1, await outbox.PurgeAsync(_time.GetUtcNow().UtcDateTime.AddDays(-29), CancellationToken.None));
    }

    public void Dispose() => _stores.Dispose();

    private async Task<EmailStore> EmailStoreAsync(StoreProvider provider)
    {
        var emails = new EmailStore(await _stores.CreateAsync(provider));
        await emails.MigrateAsync();
        return emails;
    }

    private EmailOutboxRecord Message(string key) => new()
    {
        Id = Guid.NewGuid(),
        Key = key,
        Kind = EmailKind.Test,
        CreatedAt = _time.GetUtcNow().UtcDateTime,
        NextAttemptAt = _time.GetUtcNow().UtcDateTime,
        Recipients = "ops@example.com",
        Subject = "[Luigi] Test e-mail",
    };
}
