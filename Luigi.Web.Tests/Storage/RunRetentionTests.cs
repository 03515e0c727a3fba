using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Tests.Email;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Luigi.Engine.Execution;
using Luigi.Engine.Retention;
using Luigi.Web.Email;

namespace Luigi.Web.Tests.Storage;

/// <summary>Runs past the retention are deleted with everything they hold, in batches, by one host at a time.</summary>
public sealed class RunRetentionTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly DateTime Now = DateTime.UtcNow;
    private static readonly DateTime Cutoff = Now.AddDays(-30);

    private readonly StoreFactory _stores = new(postgres);

    public void Dispose() => _stores.Dispose();

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public async Task Sweep_DeletesRunsFinishedBeforeTheCutoff_WithAllTheyHold_AndKeepsRecentAndUnfinishedRuns(StoreProvider provider)
    {
        var store = await _stores.CreateAsync(provider);
        var succeeded = await SeedRunAsync(store, RunState.Succeeded, Now.AddDays(-40), tasks: 3);
        var failed = await SeedRunAsync(store, RunState.Failed, Now.AddDays(-31), tasks: 2);
        var large = await SeedRunAsync(store, RunState.Cancelled, Now.AddDays(-60), tasks: 25); // more than a batch: taken apart
        var recent = await SeedRunAsync(store, RunState.Succeeded, Now.AddDays(-1), tasks: 2);
        var stillRunning = await SeedRunAsync(store, RunState.Running, Now.AddDays(-40), tasks: 2);

        var deleted = await new RunRetention(store).DeleteFinishedBeforeAsync(Cutoff, batchSize: 10);

        Assert.Equal(new RetentionResult(3, 30), deleted);
        foreach (var gone in new[] { succeeded, failed, large })
        {
            Assert.Equal(new RunRows(0, 0, 0, 0, 0, 0, 0), await CountAsync(store, gone));
        }

        Assert.Equal(new RunRows(1, 2, 2, 2, 1, 1, 1), await CountAsync(store, recent));
        Assert.Equal(new RunRows(1, 2, 2, 2, 1, 1, 1), await CountAsync(store, stillRunning));
        Assert.Equal(new RetentionResult(0, 0), await new RunRetention(store).DeleteFinishedBeforeAsync(Cutoff, batchSize: 10));
    }

    [Fact]
    public async Task Sweep_LeavesTheWorkToTheHostHoldingTheLock_OnPostgres()
    {
        var store = await _stores.CreateAsync(StoreProvider.Postgres);
        var old = await SeedRunAsync(store, RunState.Succeeded, Now.AddDays(-40), tasks: 2);
        await using var otherHost = new NpgsqlConnection(store.ConnectionString);
        await otherHost.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({RunRetention.AdvisoryLockKey})", otherHost))
        {
            await take.ExecuteNonQueryAsync();
        }

        var whileHeld = await new RunRetention(store).DeleteFinishedBeforeAsync(Cutoff, batchSize: 10);

        Assert.Equal(new RetentionResult(0, 0), whileHeld);
        Assert.Equal(1, (await CountAsync(store, old)).Runs);
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({RunRetention.AdvisoryLockKey})", otherHost))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal(new RetentionResult(1, 2), await new RunRetention(store).DeleteFinishedBeforeAsync(Cutoff, batchSize: 10));
    }

    [Fact]
    public async Task Host_DeletesOldRuns_WhenRetentionIsOn()
    {
        var store = await _stores.CreateAsync(StoreProvider.Sqlite);
        var old = await SeedRunAsync(store, RunState.Succeeded, Now.AddDays(-8), tasks: 2);
        var recent = await SeedRunAsync(store, RunState.Succeeded, Now.AddDays(-6), tasks: 2);
        await using var host = new LuigiWebFactory(StoreProvider.Sqlite, store.ConnectionString)
            .WithWebHostBuilder(b => b.UseSetting("Luigi:Retention:Days", "7"));
        host.CreateClient(); // starts the host, whose first sweep runs at once

        await Eventually.Async(async () => (await CountAsync(store, old)).Runs, runs => runs == 0, TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await CountAsync(store, recent)).Runs);
    }

    private sealed record RunRows(int Runs, int Tasks, int Attempts, int LogLines, int Edges, int Audit, int Email);

    private static async Task<RunRows> CountAsync(LuigiStore store, Guid runId)
    {
        await using var db = store.CreateDbContext();
        await using var emails = new EmailStore(store).CreateDbContext();
        return new RunRows(
            await db.Runs.CountAsync(r => r.Id == runId), await db.RunTasks.CountAsync(t => t.RunId == runId),
            await db.Attempts.CountAsync(a => a.RunId == runId), await db.AttemptLogLines.CountAsync(l => l.RunId == runId),
            await db.RunEdges.CountAsync(e => e.RunId == runId), await db.AuditEntries.CountAsync(e => e.RunId == runId),
            await emails.EmailOutbox.CountAsync(m => m.RunId == runId));
    }

    /// <summary>A run of <paramref name="tasks"/> chained tasks, each with an attempt and a log line, an audit entry and a
    /// summary e-mail; finished at <paramref name="at"/> unless <paramref name="state"/> is not final.</summary>
    private static async Task<Guid> SeedRunAsync(LuigiStore store, RunState state, DateTime at, int tasks)
    {
        var id = Guid.NewGuid();
        var final = state is RunState.Succeeded or RunState.Failed or RunState.Cancelled;
        await using var db = store.CreateDbContext();
        db.Runs.Add(new RunRecord
        {
            Id = id, Pipeline = "Retained", State = state, Trigger = RunTrigger.Api, CreatedAt = at.AddMinutes(-10), StartedAt = at.AddMinutes(-9),
            FinishedAt = final ? at : null, TaskCount = tasks, UnfinishedCount = final ? 0 : tasks,
        });
        for (var i = 0; i < tasks; i++)
        {
            db.RunTasks.Add(new RunTaskRecord { RunId = id, TaskIndex = i, TaskId = $"Step(run={id:N}, index={i})", Family = "Step", State = TaskState.Done });
            db.Attempts.Add(new AttemptEntity { RunId = id, TaskIndex = i, Number = 1, StartedAt = at.AddMinutes(-8), FinishedAt = at, Outcome = TaskState.Done });
            db.AttemptLogLines.Add(new AttemptLogLine { RunId = id, TaskIndex = i, Attempt = 1, Sequence = 1, At = at, Level = LogLevel.Information, Message = "done" });
            if (i > 0)
            {
                db.RunEdges.Add(new RunEdgeRecord { RunId = id, RequirementIndex = i - 1, DependentIndex = i });
            }
        }

        db.AuditEntries.Add(new AuditEntry { Id = Guid.NewGuid(), RunId = id, At = at.AddMinutes(-10), Actor = "olga", Action = AuditAction.Triggered, Via = RunTrigger.Api });
        await db.SaveChangesAsync();
        await using var emails = new EmailStore(store).CreateDbContext(); // the web host's model, on the same database
        emails.EmailOutbox.Add(new EmailOutboxRecord { Id = Guid.NewGuid(), Key = $"summary:{id}", Kind = EmailKind.Summary, RunId = id, CreatedAt = at, NextAttemptAt = at, SentAt = at });
        await emails.SaveChangesAsync();
        return id;
    }
}
