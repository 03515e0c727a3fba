using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Storage;
using Luigi.FaultProbe;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Luigi.Web.Tests.Faults;

/// <summary>The fault suite's tests that start host processes: one at a time (each starts a PostgreSQL and two or three hosts).</summary>
[CollectionDefinition(Name)]
public sealed class HostProcessCollection
{
    public const string Name = "Host processes";
}

/// <summary>
/// Faults done to real host processes (<c>dotnet Luigi.Web.dll</c>, two per test) and to a real PostgreSQL, with the
/// default lease and heartbeat: a host killed with SIGKILL, a host paused with SIGSTOP past its lease then resumed, the
/// database down for a minute with every host alive. Each asserts what a user would check afterwards: the run ends as
/// it would have without the fault, no task completes twice, no attempt is recorded as failed for the fault, and every
/// task's outcome is in the store. The probe's tasks journal each start, end and cancellation per process on disk, so
/// that the test can tell which process did what even of one it killed.
/// </summary>
[Collection(HostProcessCollection.Name)]
public sealed class HostFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(4);

    private readonly string _dataRoot = Directory.CreateTempSubdirectory("luigi-fault-data-").FullName;
    private readonly string _key = Guid.NewGuid().ToString("N");
    private readonly string _token = HostProcess.NewToken();
    private readonly List<HostProcess> _hosts = [];
    private PostgresCluster? _cluster;

    private PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("No cluster.");

    private string ConnectionString => Cluster.ConnectionString.Replace("Database=postgres", "Database=luigi", StringComparison.Ordinal);

    private string Journal => Path.Combine(_dataRoot, "fault-probe", _key);

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartNewAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        Directory.Delete(_dataRoot, recursive: true);
    }

    [Fact]
    public async Task HostKilled_ItsTasksRunAgainOnTheOtherHost_TheRunSucceeds_NoTaskCompletesTwice()
    {
        var a = await StartHostAsync();
        var b = await StartHostAsync();
        var run = await a.TriggerAsync(nameof(FaultProbe), Probe(tasks: 48, delayMs: 1000));

        // Mid-run, while host A is running tasks: SIGKILL, as the OOM killer or a lost machine does.
        await WhenAsync(() => Events().Count(e => e.Kind == ProbeJournal.End) >= 8 && StartedLately(a, _ => true));
        await a.KillAsync();
        var killedAt = DateTime.UtcNow;
        var orphans = Unfinished(a);

        Assert.Equal(RunState.Succeeded, await FinalStateAsync(run));
        var events = Events();
        var rerunAt = orphans.Select(task => events.First(e => e.TaskId == task && e.ProcessId == b.ProcessId && e.Kind == ProbeJournal.Start).At).Min();
        FaultFigures.Record(output, "SIGKILL: from the kill to the first of the dead host's tasks running again", rerunAt - killedAt);
        Assert.All(orphans, task => Assert.Single(events, e => e.TaskId == task && e.Kind == ProbeJournal.End && e.ProcessId == b.ProcessId));
        await AssertEachTaskDoneOnceAsync(run, 48, events, except: a.ProcessId);
    }

    [Fact]
    public async Task HostKilled_WhileTheGraphGrowsAtRunTime_TheOtherHostMakesTheFoundTasksAgain_TheRunSucceeds_NoTaskCompletesTwice()
    {
        var a = await StartHostAsync();
        var b = await StartHostAsync();
        var run = await a.TriggerAsync(nameof(DynamicFaultProbe), new Dictionary<string, object> { ["key"] = _key, ["tasks"] = 24, ["delayMs"] = 1000 });

        // Once tasks found at run time are running on host A: SIGKILL.
        await WhenAsync(() => Events().Count(e => e.Kind == ProbeJournal.End) >= 4 && StartedLately(a, t => t.StartsWith(nameof(DynamicProbeTask), StringComparison.Ordinal)));
        await a.KillAsync();
        var orphans = Unfinished(a).Where(t => t.StartsWith(nameof(DynamicProbeTask), StringComparison.Ordinal)).ToList();

        Assert.Equal(RunState.Succeeded, await FinalStateAsync(run));
        var events = Events();
        Assert.All(orphans, task => Assert.Single(events, e => e.TaskId == task && e.Kind == ProbeJournal.End && e.ProcessId == b.ProcessId));
        // The fan-out and the 24 tasks it found; the fan-out started twice (suspended, then resumed once they were done) and completed once.
        await AssertEachTaskDoneOnceAsync(run, 25, events, except: a.ProcessId);
    }

    [Fact]
    public async Task HostPausedPastItsLease_ThenResumed_StopsTheTasksTakenOver_AndCommitsNoneOfThem()
    {
        var a = await StartHostAsync();
        var run = await a.TriggerAsync(nameof(FaultProbe), Probe(tasks: 4, delayMs: 0, gated: true)); // every task waits for the gate
        await WhenAsync(() => Unfinished(a).Count == 2); // A's two workers hold two tasks; B, started now, takes the others
        var b = await StartHostAsync(new Dictionary<string, string> { ["Luigi:Engine:Workers"] = "4" });
        await WhenAsync(() => Events().Count(e => e.Kind == ProbeJournal.Start && e.ProcessId == b.ProcessId) == 2);

        var held = Unfinished(a);
        a.Pause(); // SIGSTOP: A renews nothing; once its leases lapse, B takes its two tasks over
        await WhenAsync(() => held.All(task => Events().Any(e => e.TaskId == task && e.Kind == ProbeJournal.Start && e.ProcessId == b.ProcessId)));
        a.Resume();
        var resumedAt = DateTime.UtcNow;

        // A learns at its next heartbeat that its tasks are another attempt's now, and cancels its own attempts of them.
        await WhenAsync(() => held.All(task => Events().Any(e => e.TaskId == task && e.Kind == ProbeJournal.Cancelled && e.ProcessId == a.ProcessId)));
        FaultFigures.Record(output, "SIGSTOP past the lease: from the resume to the stale host's attempts cancelled",
            Events().Where(e => e.Kind == ProbeJournal.Cancelled && e.ProcessId == a.ProcessId).Max(e => e.At) - resumedAt);
        ProbeJournal.Release(Journal);

        Assert.Equal(RunState.Succeeded, await FinalStateAsync(run));
        var events = Events();
        Assert.DoesNotContain(events, e => e.ProcessId == a.ProcessId && e.Kind == ProbeJournal.End);
        await AssertEachTaskDoneOnceAsync(run, 4, events);
        await using var context = Store().CreateDbContext();
        var doneBy = await context.Attempts.Where(x => x.RunId == run && x.Outcome == TaskState.Done).Select(x => x.HostId).ToListAsync();
        Assert.All(doneBy, host => Assert.Contains($":{b.ProcessId}:", host));
    }

    [Fact]
    public async Task PostgresDownForAMinute_EveryHostAlive_NoTaskRunsTwice_AndTheRunResumes()
    {
        var a = await StartHostAsync();
        var b = await StartHostAsync();
        var run = await a.TriggerAsync(nameof(FaultProbe), Probe(tasks: 40, delayMs: 500));
        await WhenAsync(() => Events().Count(e => e.Kind == ProbeJournal.End) >= 8);

        await Cluster.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(60)); // the fault itself: six leases long
        await Cluster.StartAsync();
        var returnedAt = DateTime.UtcNow;

        Assert.Equal(RunState.Succeeded, await FinalStateAsync(run));
        var events = Events();
        FaultFigures.Record(output, "PostgreSQL down 60 s: from its return to the first task started", events.First(e => e.Kind == ProbeJournal.Start && e.At > returnedAt).At - returnedAt);
        await AssertEachTaskDoneOnceAsync(run, 40, events);
        Assert.True(await a.ReadyAsync() && await b.ReadyAsync(), "both hosts are ready again");
    }

    [Fact]
    public async Task PostgresRestartedMidRun_TheRunAndTheNextOneSucceed_OnHostProcesses()
    {
        var a = await StartHostAsync();
        var b = await StartHostAsync();
        var run = await a.TriggerAsync(nameof(FaultProbe), Probe(tasks: 40, delayMs: 300));
        await WhenAsync(() => Events().Count(e => e.Kind == ProbeJournal.End) >= 8);

        await Cluster.StopAsync(); // as an administrator's restart: sessions terminated (57P01), pooled connections dead
        await Cluster.StartAsync();

        Assert.Equal(RunState.Succeeded, await FinalStateAsync(run));
        await AssertEachTaskDoneOnceAsync(run, 40, Events());

        // The next run, on the connections the restart left behind: nothing of it fails either.
        var nextKey = Guid.NewGuid().ToString("N");
        var next = await b.TriggerAsync(nameof(FaultProbe), new Dictionary<string, object> { ["key"] = nextKey, ["tasks"] = 40, ["width"] = 4, ["delayMs"] = 0 });
        Assert.Equal(RunState.Succeeded, await FinalStateAsync(next));
        await AssertEachTaskDoneOnceAsync(next, 40, ProbeJournal.Read(Path.Combine(_dataRoot, "fault-probe", nextKey)));
    }

    private async Task<HostProcess> StartHostAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = await HostProcess.StartAsync(ConnectionString, _dataRoot, _token, settings);
        _hosts.Add(host);
        return host;
    }

    private Dictionary<string, object> Probe(int tasks, int delayMs, bool gated = false) => new()
    {
        ["key"] = _key, ["tasks"] = tasks, ["width"] = 4, ["delayMs"] = delayMs, ["gated"] = gated,
    };

    private IReadOnlyList<ProbeEvent> Events() => ProbeJournal.Read(Journal);

    /// <summary>The tasks <paramref name="host"/> started and has neither ended nor cancelled.</summary>
    private List<string> Unfinished(HostProcess host)
    {
        var mine = Events().Where(e => e.ProcessId == host.ProcessId).ToList();
        return [.. mine.Where(e => e.Kind == ProbeJournal.Start).Select(e => e.TaskId).Distinct()
            .Where(task => !mine.Any(e => e.TaskId == task && e.Kind is ProbeJournal.End or ProbeJournal.Cancelled))];
    }

    /// <summary>
    /// Whether <paramref name="host"/> runs a task matching <paramref name="which"/> that started less than 400 ms ago: the probe's
    /// tasks take a second, so a kill right after still finds it running (a task merely unfinished at the check could end
    /// before the kill on a loaded machine, and leave the test nothing to check).
    /// </summary>
    private bool StartedLately(HostProcess host, Func<string, bool> which)
    {
        var unfinished = Unfinished(host).Where(which).ToHashSet(StringComparer.Ordinal);
        return Events().Any(e => e.ProcessId == host.ProcessId && e.Kind == ProbeJournal.Start && unfinished.Contains(e.TaskId)
            && DateTime.UtcNow - e.At < TimeSpan.FromMilliseconds(400));
    }

    private LuigiStore Store() => LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Postgres, ConnectionString = ConnectionString });

    private async Task<RunState> FinalStateAsync(Guid run)
    {
        var store = Store();
        var deadline = DateTime.UtcNow + Guard;
        while (true)
        {
            await using (var context = store.CreateDbContext())
            {
                var state = await context.Runs.Where(r => r.Id == run).Select(r => r.State).SingleAsync();
                if (state is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
                {
                    return state;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"The run did not end within {Guard}. Hosts:\n{string.Join("\n---\n", _hosts.Select(h => h.Tail))}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Every task of the run is Done in the store with exactly one Done attempt and no failed one, and ended exactly
    /// once in the journal (ends by the process <paramref name="except"/>, killed before it could commit them, aside).
    /// </summary>
    private async Task AssertEachTaskDoneOnceAsync(Guid run, int tasks, IReadOnlyList<ProbeEvent> events, int? except = null)
    {
        await using var context = Store().CreateDbContext();
        var states = await context.RunTasks.Where(t => t.RunId == run).Select(t => t.State).ToListAsync();
        Assert.Equal(tasks, states.Count(state => state == TaskState.Done));
        var attempts = await context.Attempts.Where(x => x.RunId == run).Select(x => new { x.TaskIndex, x.Outcome, x.Error }).ToListAsync();
        Assert.Empty(attempts.Where(x => x.Outcome == TaskState.Failed).Select(x => x.Error));
        Assert.All(attempts.GroupBy(x => x.TaskIndex), task => Assert.Single(task, x => x.Outcome == TaskState.Done));

        var ends = events.Where(e => e.Kind == ProbeJournal.End && e.ProcessId != except).GroupBy(e => e.TaskId).ToList();
        Assert.All(ends, task => Assert.Single(task));
        Assert.Equal(tasks, events.Where(e => e.Kind == ProbeJournal.End).Select(e => e.TaskId).Distinct().Count());
    }

    /// <summary>Waits, within <see cref="Guard"/>, until <paramref name="condition"/> holds (looking every 50 ms).</summary>
    private async Task WhenAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"A condition did not hold within {Guard}. Hosts:\n{string.Join("\n---\n", _hosts.Select(h => h.Tail))}");
            await Task.Delay(50);
        }
    }
}
