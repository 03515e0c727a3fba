using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Pipelines;
using Luigi.Engine.ReadModel;
using Luigi.Engine.Storage;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Web.Tests.Storage;

/// <summary>
/// Tasks required at run time on PostgreSQL, with two hosts sharing the run: each found task runs once (one of them is in
/// the static graph as well), whichever host claims it (the one that did not see it found makes it again from the store);
/// a request that closes a cycle fails the requester and adds nothing.
/// </summary>
public sealed class DynamicRequirementPostgresTests(PostgresServer postgres) : PostgresStoreTests(postgres, "luigi-grow-")
{
    [Fact]
    public async Task TwoHosts_RunEachTaskFoundAtRunTimeOnce_AndTheRequesterAfterThem()
    {
        var store = await Stores.CreateAsync(StoreProvider.Postgres);
        await using var one = new RunningHost(store, Executor(store, "one"));
        await using var two = new RunningHost(store, Executor(store, "two"));

        var run = await one.Executor.EnqueueAsync(new RunRequest(nameof(GrowPipeline),
            new Dictionary<string, string> { ["folder"] = Folder, ["leaves"] = "12" }, RunTrigger.Api));

        Assert.Equal(RunState.Succeeded, await one.WaitAsync(run));
        var ran = File.ReadAllLines(Path.Combine(Folder, "ran.log"));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"GrowLeaf(i={i})").Order(), ran.Where(l => l.StartsWith("GrowLeaf", StringComparison.Ordinal)).Order());
        Assert.Equal(2, ran.Count(l => l == "GrowAll")); // suspended once, then run again from the start
        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.Where(t => t.RunId == run).ToListAsync();
        Assert.Equal(13, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(TaskState.Done, t.State));
        Assert.Equal(13, await context.Runs.Where(r => r.Id == run).Select(r => r.TaskCount).SingleAsync());
        var requester = tasks.Single(t => t.TaskId == "GrowAll").TaskIndex;
        Assert.Equal(12, await context.RunEdges.CountAsync(e => e.RunId == run && e.DependentIndex == requester)); // leaf 0 once, though asked twice
    }

    [Fact]
    public async Task TheSuspendedAttempt_KeepsItsLogLines_AndTheResumedAttemptsFollow()
    {
        var store = await Stores.CreateAsync(StoreProvider.Postgres);
        await using var host = new RunningHost(store, Executor(store, "one"));

        var run = await host.Executor.EnqueueAsync(new RunRequest(nameof(GrowPipeline),
            new Dictionary<string, string> { ["folder"] = Folder, ["leaves"] = "3" }, RunTrigger.Api));

        Assert.Equal(RunState.Succeeded, await host.WaitAsync(run));
        await using var context = store.CreateDbContext();
        var requester = await context.RunTasks.Where(t => t.RunId == run && t.TaskId == "GrowAll").Select(t => t.TaskIndex).SingleAsync();
        var detail = (await new RunReader(store).GetTaskAsync(run, requester))!; // what the task's page shows
        Assert.Equal([(1, TaskState.Pending), (2, TaskState.Done)], detail.Attempts.Select(a => (a.Number, a.Outcome)));
        Assert.Equal(["GrowAll asks for 3 leaves"], detail.Attempts[0].Log!.Select(l => l.Message));
        Assert.Equal(["GrowAll asks for 3 leaves", "GrowAll wrote all.txt"], detail.Attempts[1].Log!.Select(l => l.Message));
    }

    [Fact]
    public async Task ARequestClosingACycle_FailsTheRequesterNamingIt_AndAddsNothing()
    {
        var store = await Stores.CreateAsync(StoreProvider.Postgres);
        await using var host = new RunningHost(store, Executor(store, "one"));

        var run = await host.Executor.EnqueueAsync(new RunRequest(nameof(GrowPipeline),
            new Dictionary<string, string> { ["folder"] = Folder, ["leaves"] = "0", ["cycle"] = "true" }, RunTrigger.Api));

        Assert.Equal(RunState.Failed, await host.WaitAsync(run));
        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.Where(t => t.RunId == run).ToDictionaryAsync(t => t.TaskId);
        Assert.Equal(["GrowAll", "GrowLoop"], tasks.Keys.Order());
        Assert.Equal(TaskState.Failed, tasks["GrowLoop"].State);
        Assert.Equal("Dependency cycle at run time: GrowLoop requires GrowAll, which is downstream of GrowLoop (it requires GrowLoop). The requirement was refused.",
            tasks["GrowLoop"].ErrorSummary);
        Assert.Equal((TaskState.UpstreamFailed, "GrowLoop"), (tasks["GrowAll"].State, tasks["GrowAll"].BlockedBy));
    }

    private static StoreExecutor Executor(LuigiStore store, string name) =>
        new(store, new PipelineRegistry().Add(typeof(GrowPipeline)), new LuigiEngineOptions { Workers = 2 }, StoreFactory.FastOptions(), hostName: name);
}

/// <summary><see cref="GrowAll"/>, which requires <see cref="GrowLeaf"/> 0 statically and <c>leaves</c> of them at run time; with
/// <c>cycle</c>, it requires <see cref="GrowLoop"/> instead, which requires it back at run time.</summary>
public sealed class GrowPipeline : Pipeline
{
    [Parameter] public string Folder { get; init; } = "";

    [Parameter] public int Leaves { get; init; }

    [Parameter] public bool Cycle { get; init; }

    public override IEnumerable<LuigiTask> Roots() => [new GrowAll { Folder = Folder, Leaves = Leaves, Cycle = Cycle }];
}

public sealed class GrowAll : LuigiTask
{
    [Parameter(Significant = false)] public string Folder { get; init; } = "";

    [Parameter(Significant = false)] public int Leaves { get; init; }

    [Parameter(Significant = false)] public bool Cycle { get; init; }

    public override IEnumerable<LuigiTask> Requires() => Cycle ? [new GrowLoop { Folder = Folder }] : [new GrowLeaf { Folder = Folder, I = 0 }];

    public override IEnumerable<Target> Output() => [new LocalFileTarget(Path.Combine(Folder, "all.txt"))];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        await File.AppendAllLinesAsync(Path.Combine(Folder, "ran.log"), ["GrowAll"], cancellationToken);
        context.Log($"GrowAll asks for {Leaves} leaves");
        await context.RequireAsync(Enumerable.Range(0, Leaves).Select(i => new GrowLeaf { Folder = Folder, I = i }), cancellationToken);
        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync("all", cancellationToken);
        context.Log("GrowAll wrote all.txt");
    }
}

/// <summary>Found at run time: parameters only and a public parameterless constructor, so that any host can make it again.</summary>
public sealed class GrowLeaf : LuigiTask
{
    private static readonly Lock Gate = new();

    [Parameter(Significant = false)] public string Folder { get; init; } = "";

    [Parameter] public int I { get; init; }

    public override IEnumerable<Target> Output() => [new LocalFileTarget(Path.Combine(Folder, $"leaf-{I}.txt"))];

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            File.AppendAllLines(Path.Combine(Folder, "ran.log"), [TaskId]);
        }

        await ((LocalFileTarget)Output().Single()).WriteAllTextAsync(TaskId, cancellationToken);
    }
}

public sealed class GrowLoop : LuigiTask
{
    [Parameter(Significant = false)] public string Folder { get; init; } = "";

    public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
        await context.RequireAsync(new GrowAll { Folder = Folder, Cycle = true }, cancellationToken);
}
