using System.Text;
using Luigi.Engine.Tests.TestTasks;

namespace Luigi.Engine.Tests;

public sealed class LocalFileTargetTests() : EngineTests(QueueKind.Memory), IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Run_LeavesNoFileBehind_WhenTheTaskThrowsWhileWriting()
    {
        var task = new WriteOrders(_directory.File("orders.csv"), failHalfway: () => true);

        var result = await Engines.Create(workers: 1).RunToEndAsync([task]);

        Assert.Equal(TaskState.Failed, result.StateOf("WriteOrders"));
        Assert.Contains("connection lost half-way", result.Graph.Find("WriteOrders")!.ErrorSummary);
        Assert.Empty(_directory.FileNames);
    }

    [Fact]
    public async Task Run_PublishesTheWholeFile_WhenTheWriteSucceeds()
    {
        var task = new WriteOrders(_directory.File("orders.csv"), failHalfway: () => false);

        var result = await Engines.Create(workers: 1).RunToEndAsync([task]);

        Engines.AssertSucceeded(result);
        Assert.Equal(["orders.csv"], _directory.FileNames);
        Assert.Equal("id,total\n1,9.99\n", await File.ReadAllTextAsync(_directory.File("orders.csv")));
    }

    [Fact]
    public async Task Run_SkipsTheTask_OnceARerunHasWrittenItsFile()
    {
        var failing = true;
        var engine = Engines.Create(workers: 1);
        WriteOrders Task() => new(_directory.File("out/orders.csv"), failHalfway: () => failing);

        var first = await engine.RunToEndAsync([Task()]);
        failing = false;
        var second = await engine.RunToEndAsync([Task()]);
        var third = await engine.RunToEndAsync([Task()]);

        Assert.Equal(TaskState.Failed, first.StateOf("WriteOrders"));
        Assert.Equal(TaskState.Done, second.StateOf("WriteOrders"));
        Assert.Equal(TaskState.Complete, third.StateOf("WriteOrders"));
        Assert.Empty(third.Graph.Find("WriteOrders")!.Attempts);
        Assert.Equal(["out/orders.csv"], _directory.FileNames);
    }

    [Fact]
    public async Task OpenWrite_LeavesNothing_WhenDisposedWithoutCommit()
    {
        var target = new LocalFileTarget(_directory.File("draft.txt"));

        await using (var writer = target.OpenWrite())
        {
            await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes("half a draft"));
        }

        Assert.False(await target.ExistsAsync());
        Assert.Empty(_directory.FileNames);
    }

    [Fact]
    public async Task WriteAllLinesAsync_ReplacesAnExistingFileWhole()
    {
        var target = new LocalFileTarget(_directory.File("lines.txt"));
        await target.WriteAllTextAsync("old content that is longer than the new one");

        await target.WriteAllLinesAsync(["first", "second"]);

        var lines = new List<string>();
        await foreach (var line in target.ReadLinesAsync())
        {
            lines.Add(line);
        }

        Assert.Equal(["first", "second"], lines);
        Assert.Equal("first\nsecond\n", await target.ReadAllTextAsync());
        Assert.Equal(["lines.txt"], _directory.FileNames);
    }

    private sealed class WriteOrders(string path, Func<bool> failHalfway) : LuigiTask
    {
        public override IEnumerable<Target> Output() => [new LocalFileTarget(path)];

        public override Task RunAsync(TaskContext context, CancellationToken cancellationToken) =>
            ((LocalFileTarget)Output().Single()).WriteAsync(async (stream, ct) =>
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes("id,total\n"), ct);
                if (failHalfway())
                {
                    throw new IOException("connection lost half-way");
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes("1,9.99\n"), ct);
            }, cancellationToken);
    }
}
