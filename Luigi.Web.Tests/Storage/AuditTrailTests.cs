using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Infrastructure;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Storage;

/// <summary>The audit trail on both stores: who asked for a run, re-ran it and cancelled it, written with the action.</summary>
public sealed class AuditTrailTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task TriggerRerunAndCancel_AreEachRecordedWithWhoAndFromWhere(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var executor = StoreFactory.Executor(store);
        var reader = new RunReader(store);
        var parameters = new Dictionary<string, string> { ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = "2", ["width"] = "1" };

        var first = await executor.EnqueueAsync(new RunRequest("CountingPipeline", parameters, RunTrigger.Cli, "ann"));
        Assert.Equal(CancelResult.Cancelled, await executor.CancelAsync(first, "bob", RunTrigger.Browser));
        Assert.Equal(CancelResult.AlreadyFinished, await executor.CancelAsync(first, "carol", RunTrigger.Api));
        var second = (await executor.RerunAsync(first, RerunScope.All, null, "dave"))!.Value;

        Assert.Equal(
            [(AuditAction.Triggered, "ann", RunTrigger.Cli), (AuditAction.Cancelled, "bob", RunTrigger.Browser)],
            (await reader.GetAuditAsync(first)).Select(e => (e.Action, e.Actor, e.Via)));
        var rerun = Assert.Single(await reader.GetAuditAsync(second));
        Assert.Equal((AuditAction.Rerun, "dave"), (rerun.Action, rerun.Actor));
        Assert.Contains(first.ToString(), rerun.Details);
        Assert.Empty(await reader.GetAuditAsync(Guid.NewGuid()));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task ARequestWithoutAName_IsRecordedAsAnonymous(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var executor = StoreFactory.Executor(store);

        var runId = await executor.EnqueueAsync(new RunRequest("CountingPipeline",
            new Dictionary<string, string> { ["key"] = Guid.NewGuid().ToString("N"), ["tasks"] = "1" }, RunTrigger.Api));
        await executor.CancelAsync(runId);

        Assert.All(await new RunReader(store).GetAuditAsync(runId), e => Assert.Equal("anonymous", e.Actor));
    }
}
