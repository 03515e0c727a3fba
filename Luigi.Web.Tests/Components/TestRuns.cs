using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.Extensions.Logging;
using Luigi.Engine.Execution;

namespace Luigi.Web.Tests.Components;

/// <summary>
/// Runs written straight into the store, in the states a test needs, as the executor would have left them:
/// the source document's A..G example (<c>ComplexExample</c>) where TaskD failed twice and blocked TaskE and TaskG.
/// </summary>
public static class TestRuns
{
    /// <summary>Task ids by index; edges A->C, B->C, D->E, C->G, E->G, F->G.</summary>
    public static readonly string[] Ids = ["TaskA", "TaskB", "TaskC", "TaskD", "TaskE", "TaskF", "TaskG"];

    public static readonly (int From, int To)[] Edges = [(0, 2), (1, 2), (3, 4), (2, 6), (4, 6), (5, 6)];

    public static readonly DateTime Start = new(2026, 11, 26, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>A finished (failed) run of ComplexExample; <paramref name="state"/> overrides the run's state.</summary>
    public static async Task<Guid> SeedFailedComplexRunAsync(LuigiStore store, RunState state = RunState.Failed, DateTime? createdAt = null, Guid? runId = null)
    {
        var id = runId ?? Guid.NewGuid();
        var at = createdAt ?? Start;
        var states = new[] { TaskState.Done, TaskState.Done, TaskState.Done, TaskState.Failed, TaskState.UpstreamFailed, TaskState.Done, TaskState.UpstreamFailed };
        if (StateStyleIsActive(state))
        {
            states = [TaskState.Done, TaskState.Done, TaskState.Running, TaskState.RetryWaiting, TaskState.Pending, TaskState.Done, TaskState.Pending];
        }

        await using var context = store.CreateDbContext();
        context.Runs.Add(new RunRecord
        {
            Id = id, Pipeline = "ComplexExample", Parameters = new() { ["delayMs"] = "10" }, Trigger = RunTrigger.Api, RequestedBy = "ana",
            State = state, CreatedAt = at, StartedAt = at.AddSeconds(1), FinishedAt = StateStyleIsActive(state) ? null : at.AddSeconds(9),
            TaskCount = 7, UnfinishedCount = states.Count(s => !s.IsTerminal()),
        });
        for (var i = 0; i < Ids.Length; i++)
        {
            var ran = states[i] is not (TaskState.Pending or TaskState.UpstreamFailed);
            context.RunTasks.Add(new RunTaskRecord
            {
                RunId = id, TaskIndex = i, TaskId = Ids[i], Family = Ids[i], IsRoot = i == 6, State = states[i],
                AttemptCount = i == 3 ? 2 : ran ? 1 : 0,
                StartedAt = ran ? at.AddSeconds(1 + i) : null, FinishedAt = states[i].IsTerminal() ? at.AddSeconds(2 + i) : null,
                ErrorSummary = i == 3 ? "InvalidOperationException: TaskD failed on purpose (attempt 2)" : null,
                Error = i == 3 && states[i] == TaskState.Failed ? "System.InvalidOperationException: TaskD failed on purpose (attempt 2)\n   at Seed.TaskD.RunAsync()" : null,
                BlockedBy = states[i] == TaskState.UpstreamFailed ? "TaskD" : null,
                HostId = ran ? "host-1" : null,
            });
        }

        foreach (var (from, to) in Edges)
        {
            context.RunEdges.Add(new RunEdgeRecord { RunId = id, RequirementIndex = from, DependentIndex = to });
        }

        for (var i = 0; i < Ids.Length; i++)
        {
            if (states[i] is TaskState.Pending or TaskState.UpstreamFailed)
            {
                continue;
            }

            var attempts = i == 3 ? 2 : 1;
            for (var n = 1; n <= attempts; n++)
            {
                var failed = i == 3 && (n == 1 || states[i] == TaskState.Failed);
                var finished = states[i] != TaskState.Running && !(i == 3 && n == 2 && states[i] == TaskState.RetryWaiting);
                context.Attempts.Add(new AttemptEntity
                {
                    RunId = id, TaskIndex = i, Number = n, StartedAt = at.AddSeconds(1 + i + n), FinishedAt = finished ? at.AddSeconds(2 + i + n) : null,
                    Outcome = !finished ? TaskState.Running : failed ? TaskState.Failed : TaskState.Done, HostId = "host-1", Worker = 1,
                    Error = failed && finished ? $"System.InvalidOperationException: TaskD failed on purpose (attempt {n})\n   at Seed.TaskD.RunAsync()" : null,
                });
                context.AttemptLogLines.Add(new AttemptLogLine
                {
                    RunId = id, TaskIndex = i, Attempt = n, Sequence = 0, At = at.AddSeconds(1 + i + n), Level = LogLevel.Information,
                    Message = $"{Ids[i]} working <b>hard</b> (attempt {n})",
                });
            }
        }

        await context.SaveChangesAsync();
        return id;
    }

    /// <summary>
    /// A finished run of <paramref name="tasks"/> tasks (at least 52): <c>Extract(part=00000)</c> and <c>Extract(part=00001)</c>
    /// failed, the first blocking the 40 <c>Load</c> tasks 2 to 41 and the second the 10 tasks 42 to 51 (each requires its
    /// failure); every other task is a <c>Report</c>, done. Written with SQL's bulk path of EF Core, for runs bigger than a page.
    /// </summary>
    public static async Task<Guid> SeedWideRunAsync(LuigiStore store, int tasks)
    {
        var id = Guid.NewGuid();
        await using var context = store.CreateDbContext();
        context.ChangeTracker.AutoDetectChangesEnabled = false;
        context.Runs.Add(new RunRecord
        {
            Id = id, Pipeline = "Wide", Trigger = RunTrigger.Api, State = RunState.Failed, CreatedAt = Start, StartedAt = Start.AddSeconds(1),
            FinishedAt = Start.AddMinutes(5), TaskCount = tasks,
        });
        for (var i = 0; i < tasks; i++)
        {
            var (family, state) = i < 2 ? ("Extract", TaskState.Failed) : i < 52 ? ("Load", TaskState.UpstreamFailed) : ("Report", TaskState.Done);
            var ran = state != TaskState.UpstreamFailed;
            context.RunTasks.Add(new RunTaskRecord
            {
                RunId = id, TaskIndex = i, TaskId = WideTaskId(i), Family = family, State = state, IsRoot = i >= 52,
                AttemptCount = ran ? 1 : 0, StartedAt = ran ? Start.AddSeconds(2 + i) : null, FinishedAt = ran ? Start.AddSeconds(3 + i) : null,
                ErrorSummary = state == TaskState.Failed ? $"IOException: part {i} is missing" : null,
                BlockedBy = state == TaskState.UpstreamFailed ? WideTaskId(i < 42 ? 0 : 1) : null,
            });
            if (state == TaskState.UpstreamFailed)
            {
                context.RunEdges.Add(new RunEdgeRecord { RunId = id, RequirementIndex = i < 42 ? 0 : 1, DependentIndex = i });
            }
        }

        await context.SaveChangesAsync();
        return id;
    }

    /// <summary>The id of task <paramref name="index"/> of <see cref="SeedWideRunAsync"/>.</summary>
    public static string WideTaskId(int index) => $"{(index < 2 ? "Extract" : index < 52 ? "Load" : "Report")}(part={index:00000})";

    /// <summary>A run with no tasks yet (as queued), of any pipeline.</summary>
    public static async Task<Guid> SeedQueuedRunAsync(LuigiStore store, string pipeline, DateTime createdAt, Dictionary<string, string> parameters)
    {
        var id = Guid.NewGuid();
        await using var context = store.CreateDbContext();
        context.Runs.Add(new RunRecord { Id = id, Pipeline = pipeline, Parameters = parameters, Trigger = RunTrigger.Cli, State = RunState.Queued, CreatedAt = createdAt });
        await context.SaveChangesAsync();
        return id;
    }

    private static bool StateStyleIsActive(RunState state) => state is RunState.Queued or RunState.Resolving or RunState.Running or RunState.Cancelling;
}
