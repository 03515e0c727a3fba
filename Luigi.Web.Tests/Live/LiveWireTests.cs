using System.Text;
using Luigi.Engine;
using Luigi.Web.Live;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Tests.Live;

/// <summary>The NOTIFY payloads between hosts: under PostgreSQL's limit, read back as written.</summary>
public sealed class LiveWireTests
{
    private static readonly DateTime At = new(2026, 11, 26, 17, 55, 15, 123, DateTimeKind.Utc);

    [Fact]
    public void ABatch_IsCutIntoPayloadsUnderTheLimit_ThatReadBackAsWritten()
    {
        var runId = Guid.NewGuid();
        var tasks = Enumerable.Range(0, 300).Select(i => i % 3 == 0
            ? new TaskChange(runId, i, $"Load(day=2026-11-{i % 30 + 1:D2}, ü={i})", TaskState.RetryWaiting, 1, null, "timed out", null, At, "h")
            {
                NextAttemptAt = At.AddMinutes(i), // when it retries: a live page shows it
            }
            : new TaskChange(runId, i, $"Load(day=2026-11-{i % 30 + 1:D2}, ü={i})", TaskState.UpstreamFailed, 0,
                null, null, "Extract(day=2026-11-26)", At, "h")).ToList();
        var runs = new List<LiveRunChange> { new(runId, "Nightly", RunState.Failed, At) };
        long sequence = 0;

        var payloads = LiveWire.Encode("host-1:42:abcd", new LiveBatch(tasks, runs, false), ref sequence);

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) < LiveWire.MaxPayloadBytes, $"{Encoding.UTF8.GetByteCount(p)} bytes"));
        Assert.Equal(payloads.Count, payloads.Distinct().Count());
        Assert.Equal(payloads.Count, sequence);
        var decoded = payloads.Select(LiveWire.Decode).ToList();
        Assert.All(decoded, d => Assert.Equal("host-1:42:abcd", d.HostId));
        Assert.Equal(tasks.Select(t => t with { HostId = "host-1:42:abcd" }), decoded.SelectMany(d => d.Batch.Tasks));
        Assert.Equal(runs, decoded.SelectMany(d => d.Batch.Runs));
        Assert.DoesNotContain(decoded, d => d.Batch.Resync);
    }

    [Fact]
    public void ALongErrorIsCut_AndAChangeTooLargeForAnyPayload_BecomesAResync()
    {
        var runId = Guid.NewGuid();
        var longError = new TaskChange(runId, 1, "Task", TaskState.Failed, 2, 3, new string('e', 20_000), null, At, "h");
        var hugeId = new TaskChange(runId, 2, new string('t', 9_000), TaskState.Done, 1, 1, null, null, At, "h");
        long sequence = 10;

        var payloads = LiveWire.Encode("h", new LiveBatch([longError, hugeId], [], false), ref sequence);

        var decoded = payloads.Select(LiveWire.Decode).Select(d => d.Batch).ToList();
        var task = Assert.Single(decoded.SelectMany(b => b.Tasks));
        Assert.Equal((1, TaskState.Failed, 2, 3), (task.TaskIndex, task.State, task.Attempt, task.Worker));
        Assert.True(task.ErrorSummary!.Length <= 501);
        Assert.Contains(decoded, b => b.Resync);
    }

    [Fact]
    public void AResyncAlone_IsOnePayload()
    {
        long sequence = 0;

        var payloads = LiveWire.Encode("h", new LiveBatch([], [], true), ref sequence);

        Assert.True(LiveWire.Decode(Assert.Single(payloads)).Batch.Resync);
    }
}
