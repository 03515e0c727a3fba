using System.Collections.Concurrent;
using Luigi.Engine.Graph;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public abstract class GraphBuilderTests(QueueKind queue) : EngineTests(queue)
{
    public enum Fault
    {
        Requires,
        Output,
        CompleteThrowsAtOnce,
        CompleteThrowsLater,
    }

    [Fact]
    public async Task Run_NeverTouchesTheRequirementsOfACompleteTask()
    {
        var calls = new ConcurrentQueue<string>();
        var store = new InMemoryTargetStore();
        store.Set("prebuilt", "from an earlier run");
        var script = new GraphScript();
        script.Define("Report").RequiresTask(() => new Prebuilt(calls, store));

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots());

        Engines.AssertSucceeded(result);
        Assert.Equal(TaskState.Done, result.StateOf("Report"));
        Assert.Equal(TaskState.Complete, result.StateOf("Prebuilt"));
        Assert.Empty(result.Graph.Find("Prebuilt")!.Requirements);
        Assert.Null(result.Graph.Find("Tripwire"));
        Assert.Empty(calls);
    }

    [Fact]
    public async Task Build_ChecksCompletenessInParallel()
    {
        var bothChecking = new AsyncBarrier(participants: 2);
        LuigiTask[] roots = [new BarrierCheck(bothChecking) { Number = 1 }, new BarrierCheck(bothChecking) { Number = 2 }];

        var graph = await GraphBuilder.BuildAsync(roots, maxParallelChecks: 16, CancellationToken.None).WaitAsync(TestTimeouts.Guard);

        Assert.All(graph.Nodes, n => Assert.Equal(TaskState.Complete, n.State));
    }

    [Fact]
    public async Task Run_KeepsCompletenessChecksInFlight_UpToCompletenessCheckConcurrency()
    {
        var probe = new CheckProbe(expectedInFlight: 2);
        var roots = Enumerable.Range(1, 5).Select(i => new CountedCheck(probe) { Number = i }).ToArray();
        var engine = Engines.Create(new LuigiEngineOptions { Workers = 1, CompletenessCheckConcurrency = 2 });

        var run = engine.RunToEndAsync(roots);
        await probe.ExpectedInFlight.WaitAsync(TestTimeouts.Guard);
        probe.Release();
        var result = await run;

        Engines.AssertSucceeded(result);
        Assert.Equal(5, probe.Checks);
        Assert.Equal(2, probe.MaxInFlight);
        Assert.All(result.Graph.Nodes, n => Assert.Equal(TaskState.Complete, n.State));
    }

    [Theory]
    [InlineData(Fault.Requires, "Requires() of Faulty threw", "Faulty.Requires")]
    [InlineData(Fault.Output, "Checking whether Faulty is complete", "Faulty.Output")]
    [InlineData(Fault.CompleteThrowsAtOnce, "Checking whether Faulty is complete", "Faulty.CompleteAsync")]
    [InlineData(Fault.CompleteThrowsLater, "Checking whether Faulty is complete", "Faulty.CheckLaterAsync")]
    public async Task Run_FailsOnlyTheTaskThatThrows_WhileTheGraphIsResolved(Fault fault, string context, string thrower)
    {
        var ran = new ConcurrentQueue<string>();
        var script = new GraphScript();
        script.Define("Sibling");
        script.Define("Parent").Requires("Sibling").RequiresTask(() => new Faulty(fault, ran));
        script.Define("Child").Requires("Parent");
        script.Define("Independent");

        var result = await Engines.Create(workers: 2).RunToEndAsync(script.Roots("Child", "Independent"));

        var faulty = result.Graph.Find("Faulty")!;
        Assert.Equal(TaskState.Failed, faulty.State);
        Assert.StartsWith(context, faulty.Error);
        Assert.Contains($"InvalidOperationException: {fault} is broken", faulty.Error);
        Assert.Contains(thrower, faulty.Error);
        Assert.Contains("   at ", faulty.Error);
        Assert.Empty(ran);
        Assert.Equal(TaskState.Done, result.StateOf("Sibling"));
        Assert.Equal(TaskState.Done, result.StateOf("Independent"));
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Parent"));
        Assert.Equal(TaskState.UpstreamFailed, result.StateOf("Child"));
        Assert.Equal("Faulty", result.Graph.Find("Child")!.BlockedBy);
        Assert.Equal(1, result.ExitCode);
    }

    /// <summary>
    /// An <see cref="OperationCanceledException"/> that is not the run's cancellation (an HTTP client's own
    /// timeout, say) is a failed check like any other: the task is not silently taken as incomplete and run.
    /// </summary>
    [Fact]
    public async Task Run_FailsTheTask_WhenItsCompletenessCheckIsCancelledOnItsOwn()
    {
        var ran = new ConcurrentQueue<string>();

        var result = await Engines.Create(workers: 1).RunToEndAsync([new CheckTimesOut(ran)]);

        Assert.Empty(ran);
        Assert.Equal(TaskState.Failed, result.StateOf("CheckTimesOut"));
        Assert.Contains("the storage did not answer in time", result.Graph.Find("CheckTimesOut")!.Error);
    }

    [Fact]
    public async Task Run_AddsNothingOfARequiresThatThrowsPartWay()
    {
        var ran = new ConcurrentQueue<string>();

        var result = await Engines.Create(workers: 1).RunToEndAsync([new ThrowsAfterOne(ran)]);

        Assert.Equal(TaskState.Failed, result.StateOf("ThrowsAfterOne"));
        Assert.Contains("broken half-way", result.Graph.Find("ThrowsAfterOne")!.Error);
        Assert.Null(result.Graph.Find("Early"));
        Assert.Single(result.Graph.Nodes);
        Assert.Empty(ran);
    }

    [Fact]
    public async Task Run_RunsARootOnce_WhenItIsRequestedTwice()
    {
        var script = GraphScript.Sequence();

        var result = await Engines.Create(workers: 2).RunToEndAsync([.. script.Roots("TaskB"), .. script.Roots("TaskB")]);

        Engines.AssertSucceeded(result);
        Assert.Single(result.Graph.Roots);
        Assert.Equal(2, result.Graph.Nodes.Count);
        Assert.Equal(1, script.Recorder.StartCount("TaskB"));
    }

    private sealed class Tripwire(ConcurrentQueue<string> calls) : LuigiTask
    {
        public override IEnumerable<LuigiTask> Requires() => throw Touched(nameof(Requires));

        public override IEnumerable<Target> Output() => throw Touched(nameof(Output));

        public override ValueTask<bool> CompleteAsync(CancellationToken cancellationToken) => throw Touched(nameof(CompleteAsync));

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => throw Touched(nameof(RunAsync));

        private Exception Touched(string method)
        {
            calls.Enqueue($"Tripwire.{method}");
            return new InvalidOperationException($"Tripwire.{method} must not be called: what requires it is complete.");
        }
    }

    private sealed class Prebuilt(ConcurrentQueue<string> calls, InMemoryTargetStore store) : LuigiTask
    {
        public override IEnumerable<LuigiTask> Requires()
        {
            calls.Enqueue("Prebuilt.Requires");
            return [new Tripwire(calls)];
        }

        public override IEnumerable<Target> Output() => [store.Target("prebuilt")];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            calls.Enqueue("Prebuilt.RunAsync");
            return Task.CompletedTask;
        }
    }

    private sealed class BarrierCheck(AsyncBarrier barrier) : LuigiTask
    {
        [Parameter]
        public int Number { get; init; }

        public override async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken)
        {
            await barrier.SignalAndWaitAsync();
            return true;
        }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class CheckProbe(int expectedInFlight)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _expected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private int _checks;

        public Task ExpectedInFlight => _expected.Task;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public int Checks => Volatile.Read(ref _checks);

        public void Release() => _release.TrySetResult();

        public async ValueTask<bool> CheckAsync()
        {
            Interlocked.Increment(ref _checks);
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            if (now >= expectedInFlight)
            {
                _expected.TrySetResult();
            }

            await _release.Task.WaitAsync(TestTimeouts.Guard);
            Interlocked.Decrement(ref _inFlight);
            return true;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            var current = Volatile.Read(ref target);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref target, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }

    private sealed class CountedCheck(CheckProbe probe) : LuigiTask
    {
        [Parameter]
        public int Number { get; init; }

        public override ValueTask<bool> CompleteAsync(CancellationToken cancellationToken) => probe.CheckAsync();

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Faulty(Fault fault, ConcurrentQueue<string> ran) : LuigiTask
    {
        public override IEnumerable<LuigiTask> Requires() => fault == Fault.Requires ? throw Broken() : [];

        public override IEnumerable<Target> Output() => fault == Fault.Output ? throw Broken() : [];

        public override ValueTask<bool> CompleteAsync(CancellationToken cancellationToken) => fault switch
        {
            Fault.CompleteThrowsAtOnce => throw Broken(),
            Fault.CompleteThrowsLater => CheckLaterAsync(),
            _ => base.CompleteAsync(cancellationToken),
        };

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            ran.Enqueue("Faulty");
            return Task.CompletedTask;
        }

        private async ValueTask<bool> CheckLaterAsync()
        {
            await Task.Yield();
            throw Broken();
        }

        private InvalidOperationException Broken() => new($"{fault} is broken");
    }

    private sealed class CheckTimesOut(ConcurrentQueue<string> ran) : LuigiTask
    {
        public override async ValueTask<bool> CompleteAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new TaskCanceledException("the storage did not answer in time");
        }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            ran.Enqueue("CheckTimesOut");
            return Task.CompletedTask;
        }
    }

    private sealed class ThrowsAfterOne(ConcurrentQueue<string> ran) : LuigiTask
    {
        public override IEnumerable<LuigiTask> Requires()
        {
            yield return new Early(ran);
            throw new InvalidOperationException("broken half-way");
        }

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            ran.Enqueue(TaskId);
            return Task.CompletedTask;
        }
    }

    private sealed class Early(ConcurrentQueue<string> ran) : LuigiTask
    {
        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken)
        {
            ran.Enqueue(TaskId);
            return Task.CompletedTask;
        }
    }
}
