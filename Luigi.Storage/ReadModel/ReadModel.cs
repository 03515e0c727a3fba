using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Execution;

namespace Luigi.Engine.ReadModel;

/// <summary>A run as lists show it.</summary>
public sealed record RunListItem(
    Guid Id, string Pipeline, RunState State, RunTrigger Trigger, string? RequestedBy, DateTime CreatedAt, DateTime? StartedAt,
    DateTime? FinishedAt, int TaskCount, int UnfinishedCount, Guid? ParentRunId, RerunScope? RerunScope, string? RerunTaskId);

/// <summary>One page of runs, newest first.</summary>
public sealed record RunPage(IReadOnlyList<RunListItem> Items, int Total, int Page, int PageSize);

/// <summary>What to list: all filters are optional.</summary>
/// <param name="Pipeline">Runs of this pipeline.</param>
/// <param name="State">Runs in this state.</param>
/// <param name="Since">Runs created at or after this time (UTC).</param>
/// <param name="Page">1-based page.</param>
/// <param name="PageSize">Runs per page (1 to 500).</param>
/// <param name="Until">Runs created before this time (UTC).</param>
/// <param name="Search">Text found, ignoring case, in a run's parameters (names or values) or in the id of any of its tasks.</param>
/// <param name="FinishedSince">Runs that finished at or after this time (UTC).</param>
public sealed record RunFilter(
    string? Pipeline = null, RunState? State = null, DateTime? Since = null, int Page = 1, int PageSize = 50, DateTime? Until = null, string? Search = null,
    DateTime? FinishedSince = null);

/// <summary>
/// A run with its parameters, counts by state (of every task), tasks (and their attempts) and edges. The tasks may be one page
/// of them, by index (<see cref="TaskTotal"/> says how many there are); the edges are then those into the page's tasks.
/// </summary>
public sealed record RunDetail(
    RunListItem Run, IReadOnlyDictionary<string, string> Parameters, string? Error, IReadOnlyDictionary<TaskState, int> Counts,
    IReadOnlyList<TaskView> Tasks, IReadOnlyList<EdgeView> Edges)
{
    /// <summary>How many tasks the run has; more than <see cref="Tasks"/> holds when they are one page of them.</summary>
    public int TaskTotal { get; init; } = Tasks.Count;

    /// <summary>The page of tasks held (1-based, by index).</summary>
    public int Page { get; init; } = 1;

    /// <summary>Tasks per page; a run with at most this many tasks is held whole.</summary>
    public int PageSize { get; init; } = Math.Max(1, Tasks.Count);

    /// <summary>True when <see cref="Tasks"/> holds every task of the run.</summary>
    public bool HasAllTasks => Tasks.Count >= TaskTotal;

    /// <summary>For a run still Queued because its pipeline's limit of active runs is reached: why, naming the active runs.</summary>
    public string? QueuedBecause { get; init; }
}

/// <summary>A task of a run. <c>BlockedBy</c>: for UpstreamFailed, the failed task that blocked it; for Waiting, the run (its id)
/// whose attempt of the same task id it waits for, also given as <see cref="WaitingForRun"/>.</summary>
public sealed record TaskView(
    int Index, string TaskId, string Family, IReadOnlyDictionary<string, string> Parameters, bool IsRoot, TaskState State, int AttemptCount,
    DateTime? StartedAt, DateTime? FinishedAt, string? HostId, int? Worker, string? ErrorSummary, string? BlockedBy, IReadOnlyList<AttemptView> Attempts)
{
    /// <summary>While <see cref="TaskState.Waiting"/>: the run running an attempt of this task id, which this task waits for.</summary>
    public Guid? WaitingForRun => ReadModel.WaitingFor(State, BlockedBy);

    /// <summary>While <see cref="TaskState.RetryWaiting"/>: when its next attempt may start (a retry, or the next check of an
    /// external task waiting for its data).</summary>
    public DateTime? NextAttemptAt { get; init; }

    /// <summary>While an external task waits for its data (<see cref="TaskState.RetryWaiting"/> after a check that found it
    /// missing, not a retry after a failure): when it gives up; its next check is <see cref="NextAttemptAt"/>.</summary>
    public DateTime? WaitingForDataUntil => WaitingForData.Until(State, BlockedBy);
}

/// <summary>A task with its full error and each attempt's log.</summary>
public sealed record TaskDetail(Guid RunId, TaskView Task, string? Error, IReadOnlyList<AttemptView> Attempts);

/// <summary>One attempt; <see cref="Log"/> is filled only in <see cref="TaskDetail"/>.</summary>
public sealed record AttemptView(
    int Number, DateTime StartedAt, DateTime? FinishedAt, TaskState Outcome, string? HostId, int Worker, string? Error, int TruncatedLogLines,
    IReadOnlyList<LogLineView>? Log);

/// <summary>A log line of an attempt.</summary>
public sealed record LogLineView(DateTime At, LogLevel Level, string Message);

/// <summary>The requirement at <see cref="From"/> runs before the dependent at <see cref="To"/> (task indexes).</summary>
public sealed record EdgeView(int From, int To);

/// <summary>What the status page shows: tasks by state, runs in progress, recent failures and the hosts.</summary>
/// <param name="Counts">Tasks by state, over the runs in progress and those created since <c>since</c>.</param>
/// <param name="Active">Runs queued, resolving, running or cancelling, newest first.</param>
/// <param name="Failures">The tasks that failed last, newest first.</param>
/// <param name="Hosts">Every host known to the store, latest heartbeat first.</param>
public sealed record StatusOverview(
    IReadOnlyDictionary<TaskState, int> Counts, IReadOnlyList<RunListItem> Active, IReadOnlyList<RecentFailure> Failures, IReadOnlyList<HostView> Hosts);

/// <summary>A task that failed, with the first line of its error.</summary>
/// <param name="RunId">Its run.</param>
/// <param name="Pipeline">The run's pipeline.</param>
/// <param name="TaskIndex">Its index in the run.</param>
/// <param name="TaskId">Its id.</param>
/// <param name="ErrorSummary">First line of the error.</param>
/// <param name="FinishedAt">When it failed.</param>
public sealed record RecentFailure(Guid RunId, string Pipeline, int TaskIndex, string TaskId, string? ErrorSummary, DateTime? FinishedAt);

/// <summary>A host with its heartbeat.</summary>
/// <param name="Id">Unique per process.</param>
/// <param name="Name">The machine name.</param>
/// <param name="Workers">Its worker slots.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="HeartbeatAt">Its last heartbeat.</param>
/// <param name="StoppedAt">When it stopped, if it stopped cleanly.</param>
public sealed record HostView(string Id, string Name, int Workers, DateTime StartedAt, DateTime HeartbeatAt, DateTime? StoppedAt);

/// <summary>One entry of a run's audit trail: who did what, when, from where.</summary>
public sealed record AuditView(DateTime At, string Actor, Storage.Entities.AuditAction Action, RunTrigger Via, string? Details, string? ClientAddress = null);

/// <summary>
/// A run's graph in columns, for the dashboard's graph at 100,000 tasks: each task's facts at the same position of every
/// array, families and states by their position in <see cref="Families"/> and <see cref="States"/>, edges as one flat array
/// of (requirement, dependent) index pairs. About half the bytes of a list of objects per task, and quicker to write and to
/// read; read by <see cref="RunReader.GetGraphColumnsAsync"/>.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="State">Its state.</param>
/// <param name="Families">Every family, in order of first appearance.</param>
/// <param name="States">Every task state's name, by its number.</param>
/// <param name="TaskId">Each task's id (tasks by index).</param>
/// <param name="Family">Each task's family, as a position in <see cref="Families"/>.</param>
/// <param name="TaskState">Each task's state, as a position in <see cref="States"/>.</param>
/// <param name="Attempts">Each task's attempt count.</param>
/// <param name="BlockedBy">For UpstreamFailed tasks, the index of the failed task that blocked them; -1 otherwise.</param>
/// <param name="Parameters">Each task's parameter values (a JSON object of strings, sent as stored).</param>
/// <param name="Edges">Requirement, dependent, requirement, dependent, ... (task indexes).</param>
public sealed record RunGraphColumns(
    Guid RunId, RunState State, IReadOnlyList<string> Families, IReadOnlyList<string> States, string[] TaskId, int[] Family, int[] TaskState,
    int[] Attempts, int[] BlockedBy, StoredParameters[] Parameters, int[] Edges);

/// <summary>
/// A task's parameter values as the store keeps them, a JSON object of strings, written into an answer as they are: a big
/// graph's 100,000 parameter objects are neither read into dictionaries nor written from them again.
/// </summary>
/// <param name="Json">The JSON object, e.g. <c>{"date":"2026-11-26"}</c>.</param>
[JsonConverter(typeof(StoredParametersConverter))]
public readonly record struct StoredParameters(string Json)
{
    /// <summary>The values, read from <see cref="Json"/>.</summary>
    public IReadOnlyDictionary<string, string> Read() => JsonSerializer.Deserialize<Dictionary<string, string>>(Json) ?? [];
}

/// <summary>Writes <see cref="StoredParameters"/> as the JSON object it holds (checked, not re-encoded); reads one back.</summary>
public sealed class StoredParametersConverter : JsonConverter<StoredParameters>
{
    public override StoredParameters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? new StoredParameters(document.RootElement.GetRawText())
            : throw new JsonException("Parameters are a JSON object of strings.");
    }

    public override void Write(Utf8JsonWriter writer, StoredParameters value, JsonSerializerOptions options) => writer.WriteRawValue(value.Json);
}

/// <summary>Readings shared by the read model's records.</summary>
internal static class ReadModel
{
    /// <summary>The run a Waiting task waits for, kept in its <c>blocked_by</c>.</summary>
    public static Guid? WaitingFor(TaskState state, string? blockedBy) =>
        state == TaskState.Waiting && Guid.TryParse(blockedBy, out var run) ? run : null;
}

/// <summary>
/// Why a run failed, root causes first: each failed task with the tasks it blocked. A task blocked by several
/// failures is counted once, under the failure that reached it first (the one the store recorded).
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Failures">Failed tasks, those that blocked the most first.</param>
/// <param name="BlockedTotal">Tasks that did not run because of a failure.</param>
/// <param name="UnattributedBlocked">Blocked tasks whose blocking task is not a failed task of this run (none unless the store was edited).</param>
public sealed record RootCauses(Guid RunId, IReadOnlyList<RootCause> Failures, int BlockedTotal, int UnattributedBlocked);

/// <summary>A failed task and what it blocked.</summary>
/// <param name="Index">Its index in the run.</param>
/// <param name="TaskId">Its id.</param>
/// <param name="Family">Its family.</param>
/// <param name="ErrorSummary">First line of its error.</param>
/// <param name="Attempts">Attempts it made.</param>
/// <param name="FinishedAt">When it failed.</param>
/// <param name="BlockedCount">How many tasks it blocked.</param>
/// <param name="Blocked">The first of them by index (at most the limit asked for).</param>
/// <param name="BlockedByFamily">How many it blocked of each family, most first.</param>
public sealed record RootCause(
    int Index, string TaskId, string Family, string? ErrorSummary, int Attempts, DateTime? FinishedAt, int BlockedCount,
    IReadOnlyList<BlockedTask> Blocked, IReadOnlyDictionary<string, int> BlockedByFamily);

/// <summary>A task that did not run because of a failure upstream.</summary>
public sealed record BlockedTask(int Index, string TaskId, string Family);

/// <summary>A pipeline at a glance for on-call: its last runs, oldest first, and those running now.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Runs">Its last runs, oldest first (at most the number asked for).</param>
/// <param name="Active">How many of its runs are queued, resolving, running or cancelling now.</param>
public sealed record PipelineStrip(string Pipeline, IReadOnlyList<RunMark> Runs, int Active);

/// <summary>One run as a mark of a <see cref="PipelineStrip"/>.</summary>
/// <param name="Id">The run.</param>
/// <param name="State">Its state.</param>
/// <param name="CreatedAt">When it was asked for.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it finished.</param>
public sealed record RunMark(Guid Id, RunState State, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    /// <summary>From start to finish; null while it runs or when it never started.</summary>
    public TimeSpan? Duration => StartedAt is { } started && FinishedAt is { } finished ? finished - started : null;
}

/// <summary>A resource with its total, what the running tasks of every host hold of it, and what waits for it.</summary>
/// <param name="Name">The resource.</param>
/// <param name="Total">Its total (<c>Luigi:Resources:&lt;name&gt;</c>).</param>
/// <param name="Used">What running tasks hold of it.</param>
/// <param name="Holders">The running tasks that hold some, with the amount.</param>
/// <param name="Waiting">Ready tasks that need some and are not running (they wait for it, or for a worker), best first, at most the number asked for.</param>
/// <param name="WaitingCount">How many such tasks there are.</param>
public sealed record ResourceUse(string Name, int Total, int Used, IReadOnlyList<ResourceTask> Holders, IReadOnlyList<ResourceTask> Waiting, int WaitingCount);

/// <summary>A task holding or needing an amount of a resource.</summary>
public sealed record ResourceTask(Guid RunId, int TaskIndex, string TaskId, int Amount);


/// <summary>What a page of a run's tasks can be ordered by; ties are broken by index.</summary>
public enum TaskOrder
{
    Index,
    TaskId,

    /// <summary>By the state's name (as stored), not by its place in the life of a task.</summary>
    State,
    Attempts,
    Started,
    Finished,
}

/// <summary>Which of a run's tasks to read, in what order, a page at a time: every filter is optional.</summary>
/// <param name="State">Tasks in this state.</param>
/// <param name="Family">Tasks of this family.</param>
/// <param name="Text">Text found, ignoring case, in the task's id.</param>
/// <param name="Order">The order of the pages.</param>
/// <param name="Descending">Reverse the order (ties stay by ascending index).</param>
/// <param name="Page">1-based page.</param>
/// <param name="PageSize">Tasks per page (1 to <see cref="MaxPageSize"/>).</param>
public sealed record TaskQuery(
    TaskState? State = null, string? Family = null, string? Text = null, TaskOrder Order = TaskOrder.Index, bool Descending = false,
    int Page = 1, int PageSize = 100)
{
    /// <summary>The most tasks a page holds: a page, its attempts and its edges stay a few megabytes at most.</summary>
    public const int MaxPageSize = 5_000;
}

/// <summary>One page of a run's tasks (with their attempts) and how many tasks match the query in all.</summary>
public sealed record TaskPage(IReadOnlyList<TaskView> Items, int Total, int Page, int PageSize);

/// <summary>A run's tasks counted in SQL, by state and by family (most first), without reading them.</summary>
public sealed record RunCounts(IReadOnlyDictionary<TaskState, int> ByState, IReadOnlyDictionary<string, int> ByFamily);

/// <summary>
/// A run's graph grouped by family, aggregated in SQL: what a run too big to draw task by task shows (one node per family with
/// its counts by state, one edge per pair of families with how many task edges it stands for).
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="State">Its state.</param>
/// <param name="TaskCount">Its tasks, over every group.</param>
/// <param name="Groups">One per family, the biggest first.</param>
/// <param name="Edges">Between families (a family's edges to itself included), the most first.</param>
public sealed record RunGraphGroups(Guid RunId, RunState State, int TaskCount, IReadOnlyList<GraphGroup> Groups, IReadOnlyList<GraphGroupEdge> Edges);

/// <summary>The tasks of one family in a run: how many, and how many in each state.</summary>
public sealed record GraphGroup(string Family, int Tasks, IReadOnlyDictionary<TaskState, int> Counts);

/// <summary>The task edges from tasks of <see cref="From"/> (requirements) to tasks of <see cref="To"/> (dependents).</summary>
public sealed record GraphGroupEdge(string From, string To, int Edges);

/// <summary>
/// The attempts of one worker of one host in a run, aggregated in SQL: the timeline of a run too big to draw attempt by attempt.
/// </summary>
/// <param name="HostId">The host.</param>
/// <param name="Worker">Its worker slot.</param>
/// <param name="Attempts">Attempts it ran.</param>
/// <param name="Failed">Of which failed.</param>
/// <param name="FirstStart">When its first attempt started.</param>
/// <param name="LastEnd">When its last attempt ended; null while one runs and none ended.</param>
public sealed record TimelineLane(string? HostId, int Worker, int Attempts, int Failed, DateTime FirstStart, DateTime? LastEnd);
