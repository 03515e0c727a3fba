using System.Buffers;
using System.Text;
using System.Text.Json;
using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Events;

namespace Luigi.Web.Live;

/// <summary>
/// How one host's batch travels to the others in <c>NOTIFY luigi_changes</c> payloads: compact JSON, cut
/// into messages that each stay under PostgreSQL's payload limit and each stand on their own.
/// </summary>
/// <remarks>
/// A message is <c>{"v":1,"h":host,"n":sequence,"t":[task...],"r":[run...],"s":1}</c>, where a task change is
/// <c>[runId,taskIndex,taskId,state,attempt,worker,errorSummary,blockedBy,atUnixMs]</c>, a run change is
/// <c>[runId,pipeline,state,atUnixMs]</c>, states go by name, and <c>"s":1</c> (present only when set) says
/// that the sender lost changes it should have published, so the receivers resync. The sequence number
/// makes every payload of a transaction distinct (PostgreSQL folds identical ones).
/// </remarks>
internal static class LiveWire
{
    /// <summary>The channel every host notifies and listens on.</summary>
    public const string Channel = "luigi_changes";

    /// <summary>PostgreSQL refuses a payload of 8000 bytes or more; this leaves room to spare.</summary>
    public const int MaxPayloadBytes = 7800;

    /// <summary>A longer error summary is cut to this many characters on the wire (the store keeps it whole).</summary>
    private const int MaxErrorChars = 500;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>Cuts <paramref name="batch"/>, made by <paramref name="hostId"/>, into payloads, in order.</summary>
    public static List<string> Encode(string hostId, LiveBatch batch, ref long sequence, int maxPayloadBytes = MaxPayloadBytes)
    {
        var payloads = new List<string>();
        var tasks = new List<byte[]>();
        var runs = new List<byte[]>();
        var size = 0;
        var resync = batch.Resync;
        var seq = sequence;
        var overhead = EnvelopeOverhead(hostId);

        void Flush()
        {
            payloads.Add(Envelope(hostId, seq++, tasks, runs, resync));
            tasks.Clear();
            runs.Clear();
            size = 0;
            resync = false;
        }

        void Add(byte[] element, List<byte[]> list)
        {
            if (overhead + size + element.Length + 1 > maxPayloadBytes && (tasks.Count > 0 || runs.Count > 0))
            {
                Flush();
            }

            if (overhead + element.Length + 1 > maxPayloadBytes)
            {
                resync = true; // a change too large for any payload: the others re-read the store instead
                return;
            }

            list.Add(element);
            size += element.Length + 1;
        }

        foreach (var change in batch.Tasks)
        {
            var element = EncodeTask(change, MaxErrorChars);
            if (element.Length > maxPayloadBytes / 2)
            {
                element = EncodeTask(change, 80);
            }

            Add(element, tasks);
        }

        foreach (var change in batch.Runs)
        {
            Add(EncodeRun(change), runs);
        }

        if (tasks.Count > 0 || runs.Count > 0 || resync)
        {
            Flush();
        }

        sequence = seq;
        return payloads;
    }

    /// <summary>Reads one payload: the sending host and its changes; throws <see cref="JsonException"/> or <see cref="FormatException"/> when it is not one.</summary>
    public static (string HostId, LiveBatch Batch) Decode(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var hostId = root.GetProperty("h").GetString() ?? throw new FormatException("No host in a live message.");
        var tasks = new List<TaskChange>();
        var runs = new List<LiveRunChange>();
        if (root.TryGetProperty("t", out var t))
        {
            foreach (var e in t.EnumerateArray())
            {
                tasks.Add(new TaskChange(e[0].GetGuid(), e[1].GetInt32(), e[2].GetString()!, Enum.Parse<TaskState>(e[3].GetString()!), e[4].GetInt32(),
                    e[5].ValueKind == JsonValueKind.Null ? null : e[5].GetInt32(), e[6].GetString(), e[7].GetString(), FromUnixMs(e[8].GetInt64()), hostId)
                {
                    // A tenth element since the next attempt's time is sent; a host of an earlier build sends nine.
                    NextAttemptAt = e.GetArrayLength() > 9 && e[9].ValueKind == JsonValueKind.Number ? FromUnixMs(e[9].GetInt64()) : null,
                });
            }
        }

        if (root.TryGetProperty("r", out var r))
        {
            foreach (var e in r.EnumerateArray())
            {
                runs.Add(new LiveRunChange(e[0].GetGuid(), e[1].GetString()!, Enum.Parse<RunState>(e[2].GetString()!), FromUnixMs(e[3].GetInt64())));
            }
        }

        var resync = root.TryGetProperty("s", out var s) && s.GetInt32() == 1;
        return (hostId, new LiveBatch(tasks, runs, resync));
    }

    private static byte[] EncodeTask(TaskChange change, int maxErrorChars)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(change.RunId);
            writer.WriteNumberValue(change.TaskIndex);
            writer.WriteStringValue(change.TaskId);
            writer.WriteStringValue(change.State.ToString());
            writer.WriteNumberValue(change.Attempt);
            if (change.Worker is { } worker)
            {
                writer.WriteNumberValue(worker);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteStringValue(change.ErrorSummary is { Length: > 0 } error && error.Length > maxErrorChars ? error[..maxErrorChars] + "…" : change.ErrorSummary);
            writer.WriteStringValue(change.BlockedBy);
            writer.WriteNumberValue(ToUnixMs(change.At));
            if (change.NextAttemptAt is { } next)
            {
                writer.WriteNumberValue(ToUnixMs(next));
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] EncodeRun(LiveRunChange change)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(change.RunId);
            writer.WriteStringValue(change.Pipeline);
            writer.WriteStringValue(change.State.ToString());
            writer.WriteNumberValue(ToUnixMs(change.At));
            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Envelope(string hostId, long sequence, List<byte[]> tasks, List<byte[]> runs, bool resync)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteString("h", hostId);
            writer.WriteNumber("n", sequence);
            WriteRaw(writer, "t", tasks);
            WriteRaw(writer, "r", runs);
            if (resync)
            {
                writer.WriteNumber("s", 1);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteRaw(Utf8JsonWriter writer, string name, List<byte[]> elements)
    {
        if (elements.Count == 0)
        {
            return;
        }

        writer.WritePropertyName(name);
        writer.WriteStartArray();
        foreach (var element in elements)
        {
            writer.WriteRawValue(element, skipInputValidation: true);
        }

        writer.WriteEndArray();
    }

    /// <summary>The bytes of an envelope around nothing, with the largest sequence, both arrays and "s":1 (an upper bound).</summary>
    private static int EnvelopeOverhead(string hostId) =>
        Encoding.UTF8.GetByteCount(Envelope(hostId, long.MaxValue, [], [], true)) + ",\"t\":[],\"r\":[]".Length;

    private static long ToUnixMs(DateTime at) => new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    private static DateTime FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
}
