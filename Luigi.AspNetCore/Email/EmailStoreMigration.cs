using Luigi.Engine.Storage;

namespace Luigi.Web.Email;

/// <summary>
/// Before the host serves and before the sender starts: brings the e-mail outbox's tables up to date (after the run
/// store's, see <see cref="EmailStore.MigrateAsync"/>), unless <c>Luigi:Store:MigrateOnStart</c> is false.
/// </summary>
internal sealed class EmailStoreMigration(EmailStore store, StoreOptions storeOptions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => storeOptions.MigrateOnStart ? store.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
