using System.Collections.Concurrent;
using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Storage;
using Luigi.Engine.Tests.TestTasks;
using Luigi.Engine.Events;

namespace Luigi.Engine.Tests;

/// <summary>
/// Luigi's guarantees across runs of one queue: a task id runs in one attempt at a time (a run that reaches a task another
/// run is running waits for it, then looks at it again), and resources are never held beyond their totals.
/// </summary>
public abstract class TaskExclusionTests(QueueKind queue) : IAsyncLifetime
{
    private readonly TempDirectory? _folder = queue == QueueKind.Sqlite ? new TempDirectory() : null;
    private readonly ChangeRecorder _changes = new();
    private readonly string _scope = Guid.NewGuid().ToString("N");
    private LuigiStore? _store;

    public async Task InitializeAsync()
    {
        if (_folder is not null)
        {
            _store = LuigiStore.Create(new StoreOptions { Provider = StoreProvider.Sqlite, ConnectionString = $"Data Source={_folder.File("luigi.db")};Pooling=False" });
            await _store.MigrateAsync();
        }
    }

    public Task DisposeAsync()
    {
        Scenes.TryRemove(_scope, out _);
        _folder?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SecondRun_WaitsForTheTaskTheFirstRunsAndNamesIt_ThenFindsItComplete()
    {
        var scene = Scene();
        await using var host = Start(workers: 2);
        var first = await host.EnqueueAsync(nameof(SharedLoad), ("outputs", "true"));
        await scene.Started.Task.WaitAsync(TestTimeouts.Guard);

        var second = await host.EnqueueAsync(nameof(SharedLoad), ("outputs", "true"));
        var waiting = await _changes.WaitForAsync(c => c.RunId == second && c.State == TaskState.Waiting);
        Assert.Equal(first.ToString(), waiting.BlockedBy);
        Assert.StartsWith("Load(", waiting.TaskId);
        scene.Release.TrySetResult();

        Assert.Equal(RunState.Succeeded, await host.WaitAsync(first));
        Assert.Equal(RunState.Succeeded, await host.WaitAsync(second));
        Assert.Equal(1, scene.Runs);
        var skipped = await _changes.WaitForAsync(c => c.RunId == second && c.TaskId == waiting.TaskId && c.State.IsTerminal());
        Assert.Equal(TaskState.Complete, skipped.State);
        Assert.Equal(0, skipped.Attempt);
        await _changes.WaitForAsync(c => c.RunId == second && c.TaskId.StartsWith("Report(") && c.State == TaskState.Done);
    }

    [Fact]
    public async Task TaskWithoutOutputs_WaitsForTheOtherRunsAttempt_ThenRunsAfterIt()
    {
        var scene = Scene();
        await using var host = Start(workers: 2);
        var first = await host.EnqueueAsync(nameof(SharedLoad), ("outputs", "false"));
        await scene.Started.Task.WaitAsync(TestTimeouts.Guard);

        var second = await host.EnqueueAsync(nameof(SharedLoad), ("outputs", "false"));
        await _changes.WaitForAsync(c => c.RunId == second && c.State == TaskState.Waiting);
        scene.Release.TrySetResult();

        Assert.Equal(RunState.Succeeded, await host.WaitAsync(first));
        Assert.Equal(RunState.Succeeded, await host.WaitAsync(second));
        Assert.Equal(2, scene.Runs);
        Assert.Equal(["start", "end", "start", "end"], scene.Log.ToArray());
    }

    [Fact]
    public async Task Resources_AreNeverHeldBeyondTheirTotal_AcrossRuns()
    {
        var scene = Scene();
        await using var host = Start(workers: 4, resources: new() { ["warehouse"] = 1 });
        var runs = new[]
        {
            await host.EnqueueAsync(nameof(Warehouse), ("size", "3"), ("tag", "a")),
            await host.EnqueueAsync(nameof(Warehouse), ("size", "3"), ("tag", "b")),
        };

        foreach (var run in runs)
        {
            Assert.Equal(RunState.Succeeded, await host.WaitAsync(run));
        }

        Assert.Equal(6, scene.Runs);
        Assert.Equal(1, scene.MostAtOnce);
    }

    [Fact]
    public async Task RunLimit_KeepsTheSecondRunQueued_UntilTheFirstEnds()
    {
        var scene = Scene();
        await using var host = Start(workers: 2);
        var first = await host.EnqueueAsync(nameof(OneAtATime));
        await scene.Started.Task.WaitAsync(TestTimeouts.Guard);

        var second = await host.EnqueueAsync(nameof(OneAtATime));

        Assert.Null(await host.Queue.TakeQueuedRunAsync("another-host", second, RunLimits.For(Registry, new Dictionary<string, int>()), CancellationToken.None));
        Assert.Equal(RunState.Queued, (await host.Queue.FindRunAsync(second, CancellationToken.None))!.State);
        Assert.Equal(RunState.Running, (await host.Queue.FindRunAsync(first, CancellationToken.None))!.State);
        scene.Release.TrySetResult();
        Assert.Equal(RunState.Succeeded, await host.WaitAsync(first));
        Assert.Equal(RunState.Succeeded, await host.WaitAsync(second));
        Assert.Equal(2, scene.Runs); // no outputs: both ran, one run after the other
        Assert.Equal(["start", "end", "start", "end"], scene.Log.ToArray());
    }

    [Theory]
    [InlineData("nowhere", 1, "needs resource 'nowhere', which has no total")]
    [InlineData("warehouse", 3, "needs 3 of resource 'warehouse', more than its total of 2")]
    [InlineData("warehouse", -1, "negative amount (-1) of resource 'warehouse'")]
    public async Task Run_FailsToResolve_NamingTaskAndResource_WhenItsNeedsCannotBeMet(string resource, int amount, string expected)
    {
        var scene = Scene();
        await using var host = Start(workers: 1, resources: new() { ["warehouse"] = 2 });

        var run = await host.EnqueueAsync(nameof(Needy), ("resource", resource), ("amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(RunState.Failed, await host.WaitAsync(run));
        var error = (await host.Queue.FindRunAsync(run, CancellationToken.None))!.Error;
        Assert.Contains(expected, error);
        Assert.Contains("NeedyTask(", error);
        Assert.Equal(0, scene.Runs);
    }

    private static readonly PipelineRegistry Registry =
        new PipelineRegistry().Add(typeof(SharedLoad)).Add(typeof(Warehouse)).Add(typeof(Needy)).Add(typeof(OneAtATime));

    private SceneState Scene() => Scenes[_scope] = new SceneState();

    private Host Start(int workers, Dictionary<string, int>? resources = null)
    {
        resources ??= [];
        var time = TimeProvider.System;
        IRunQueue runQueue = _store is null ? new MemoryRunQueue(time, resources) : new RunQueue(_store, time, shared: false, resources);
        var executor = new StoreExecutor(runQueue, Registry, new LuigiEngineOptions { Workers = workers, Resources = resources },
            new StoreExecutorOptions(), time, observers: [_changes]);
        return new Host(executor, runQueue, _scope);
    }

    internal static readonly ConcurrentDictionary<string, SceneState> Scenes = new();

    internal sealed class SceneState
    {
        private int _running;
        private int _runs;
        private int _most;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public InMemoryTargetStore Outputs { get; } = new();

        public ConcurrentQueue<string> Log { get; } = new();

        public int Runs => Volatile.Read(ref _runs);

        public int MostAtOnce => Volatile.Read(ref _most);

        public IDisposable Enter()
        {
            Interlocked.Increment(ref _runs);
            var now = Interlocked.Increment(ref _running);
            int most;
            while ((most = Volatile.Read(ref _most)) < now && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            return new Leave(() => Interlocked.Decrement(ref _running));
        }

        private sealed class Leave(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }

    private sealed class Host(StoreExecutor executor, IRunQueue queue, string scope) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _running;

        public IRunQueue Queue => queue;

        public async Task<Guid> EnqueueAsync(string pipeline, params (string Name, string Value)[] parameters)
        {
            _running ??= executor.RunAsync(_stop.Token);
            var values = parameters.ToDictionary(p => p.Name, p => p.Value);
            values["scope"] = scope;
            return await executor.EnqueueAsync(new RunRequest(pipeline, values, RunTrigger.Api));
        }

        public Task<RunState> WaitAsync(Guid run) => executor.WaitForRunAsync(run).WaitAsync(TestTimeouts.Guard);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_running is not null)
            {
                await _running.WaitAsync(TestTimeouts.Guard);
            }

            _stop.Dispose();
        }
    }

    private sealed class ChangeRecorder : IRunObserver
    {
        private readonly List<TaskChange> _changes = [];
        private readonly List<(Func<TaskChange, bool> Match, TaskCompletionSource<TaskChange> Found)> _waits = [];

        public void OnTaskChanged(TaskChange change)
        {
            lock (_changes)
            {
                _changes.Add(change);
                foreach (var wait in _waits.Where(w => w.Match(change)).ToList())
                {
                    _waits.Remove(wait);
                    wait.Found.TrySetResult(change);
                }
            }
        }

        public void OnRunFinished(Guid runId, RunState state)
        {
        }

        public Task<TaskChange> WaitForAsync(Func<TaskChange, bool> match)
        {
            lock (_changes)
            {
                if (_changes.FirstOrDefault(match) is { } seen)
                {
                    return Task.FromResult(seen);
                }

                var found = new TaskCompletionSource<TaskChange>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((match, found));
                return found.Task.WaitAsync(TestTimeouts.Guard);
            }
        }
    }
}

/// <summary>Load (waits for the test's go, then writes its output when it has one) and the Report that requires it.</summary>
public sealed class SharedLoad : Pipeline
{
    [Parameter] public string Scope { get; init; } = "";

    [Parameter] public bool Outputs { get; init; }

    public override IEnumerable<LuigiTask> Roots() => [new Report { Scope = Scope, Outputs = Outputs }];

    public sealed class Load : LuigiTask
    {
        [Parameter] public string Scope { get; init; } = "";

        [Parameter] public bool Outputs { get; init; }

        public override IEnumerable<Target> Output() =>
            Outputs ? [TaskExclusionTests.Scenes[Scope].Outputs.Target($"load-{Scope}")] : [];

        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var scene = TaskExclusionTests.Scenes[Scope];
            using (scene.Enter())
            {
                scene.Log.Enqueue("start");
                scene.Started.TrySetResult();
                await scene.Release.Task.WaitAsync(TestTimeouts.Guard, cancellationToken);
                foreach (var output in Output().Cast<InMemoryTarget>())
                {
                    output.Write();
                }

                scene.Log.Enqueue("end");
            }
        }
    }

    public sealed class Report : LuigiTask
    {
        [Parameter] public string Scope { get; init; } = "";

        [Parameter] public bool Outputs { get; init; }

        public override IEnumerable<LuigiTask> Requires() => [new Load { Scope = Scope, Outputs = Outputs }];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>One Load without outputs, in a pipeline that allows one active run at a time.</summary>
[MaxActiveRuns(1)]
public sealed class OneAtATime : Pipeline
{
    [Parameter] public string Scope { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => [new SharedLoad.Load { Scope = Scope, Outputs = false }];
}

/// <summary>Independent tasks that each hold one slot of the resource <c>warehouse</c> while they run.</summary>
public sealed class Warehouse : Pipeline
{
    [Parameter] public string Scope { get; init; } = "";

    [Parameter] public int Size { get; init; }

    [Parameter] public string Tag { get; init; } = "";

    public override IEnumerable<LuigiTask> Roots() => Enumerable.Range(0, Size).Select(i => new Slot { Scope = Scope, Tag = Tag, Number = i });

    public sealed class Slot : LuigiTask
    {
        [Parameter] public string Scope { get; init; } = "";

        [Parameter] public string Tag { get; init; } = "";

        [Parameter] public int Number { get; init; }

        public override IReadOnlyDictionary<string, int> Resources => new Dictionary<string, int> { ["warehouse"] = 1 };

        public override async Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            using (TaskExclusionTests.Scenes[Scope].Enter())
            {
                await Task.Delay(20, cancellationToken); // long enough for the other workers to try their claims meanwhile
            }
        }
    }
}

/// <summary>One task that declares what the test says of one resource.</summary>
public sealed class Needy : Pipeline
{
    [Parameter] public string Scope { get; init; } = "";

    [Parameter] public string Resource { get; init; } = "";

    [Parameter] public int Amount { get; init; }

    public override IEnumerable<LuigiTask> Roots() => [new NeedyTask { Scope = Scope, Resource = Resource, Amount = Amount }];

    public sealed class NeedyTask : LuigiTask
    {
        [Parameter] public string Scope { get; init; } = "";

        [Parameter] public string Resource { get; init; } = "";

        [Parameter] public int Amount { get; init; }

        public override IReadOnlyDictionary<string, int> Resources => new Dictionary<string, int> { [Resource] = Amount };

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            TaskExclusionTests.Scenes[Scope].Enter().Dispose();
            return Task.CompletedTask;
        }
    }
}
