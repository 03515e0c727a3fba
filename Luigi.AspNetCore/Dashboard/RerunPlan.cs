using Luigi.Engine;
using Luigi.Engine.Graph;
using Luigi.Engine.Execution;

namespace Luigi.Web.Dashboard;

/// <summary>What a re-run will cover, to show before asking for it.</summary>
/// <param name="Scope">The scope asked for.</param>
/// <param name="TaskId">For <see cref="RerunScope.TaskAndDownstream"/>: the task forced.</param>
/// <param name="Summary">The rule, in words.</param>
/// <param name="Tasks">The task ids concerned, in index order.</param>
public sealed record RerunPlan(RerunScope Scope, string? TaskId, string Summary, IReadOnlyList<string> Tasks)
{
    /// <summary>How many tasks the plan covers: more than <see cref="Tasks"/> lists for a run shown a page at a time, whose
    /// tasks the page does not hold (then null for task-and-downstream, whose descendants are not known).</summary>
    public int? Count { get; init; } = Tasks.Count;

    /// <summary>
    /// The plan of a re-run of <paramref name="run"/> as it stands: failed-only covers the tasks that are not
    /// done or complete; task-and-downstream the task at <paramref name="taskIndex"/> and its descendants; all
    /// lists every task, of which the complete ones will be skipped.
    /// </summary>
    public static RerunPlan For(LiveRun run, RerunScope scope, int? taskIndex = null)
    {
        if (!run.IsWhole)
        {
            return ForPartial(run, scope, taskIndex);
        }

        switch (scope)
        {
            case RerunScope.FailedOnly:
                return new RerunPlan(scope, null,
                    "The tasks that did not succeed run again; what succeeded in this run is taken as complete.",
                    run.Rows.Where(r => !r.State.IsSatisfied()).Select(r => r.TaskId).ToList());
            case RerunScope.TaskAndDownstream:
                var start = run.Rows[taskIndex ?? throw new ArgumentNullException(nameof(taskIndex))];
                return new RerunPlan(scope, start.TaskId,
                    "This task and everything downstream of it run again, even where their outputs exist.",
                    Downstream(run, start.Index).Select(i => run.Rows[i].TaskId).ToList());
            default:
                return new RerunPlan(RerunScope.All, null,
                    "Everything whose outputs are missing runs again; complete tasks will be skipped.",
                    run.Rows.Select(r => r.TaskId).ToList());
        }
    }

    /// <summary>The plan of a run shown a page at a time, from its counts: its tasks are not listed.</summary>
    private static RerunPlan ForPartial(LiveRun run, RerunScope scope, int? taskIndex)
    {
        const string unlisted = " This run is too big to list its tasks here.";
        return scope switch
        {
            RerunScope.FailedOnly => new RerunPlan(scope, null,
                "The tasks that did not succeed run again; what succeeded in this run is taken as complete." + unlisted, [])
            {
                Count = run.Counts.Where(c => !c.Key.IsSatisfied()).Sum(c => c.Value),
            },
            RerunScope.TaskAndDownstream => run.Row(taskIndex ?? throw new ArgumentNullException(nameof(taskIndex))) is { } start
                ? new RerunPlan(scope, start.TaskId,
                    "This task and everything downstream of it run again, even where their outputs exist." + unlisted, [start.TaskId]) { Count = null }
                : throw new ArgumentOutOfRangeException(nameof(taskIndex), $"The page holds no task {taskIndex}."),
            _ => new RerunPlan(RerunScope.All, null, "Everything whose outputs are missing runs again; complete tasks will be skipped." + unlisted, [])
            {
                Count = run.TaskCount,
            },
        };
    }

    /// <summary>
    /// The completeness overrides the re-run's resolution will apply (as the store's re-run planner does): failed-only
    /// takes what succeeded in <paramref name="run"/> as complete; task-and-downstream forces <see cref="Tasks"/>.
    /// </summary>
    public ResolutionOverrides? Overrides(LiveRun run) => Scope switch
    {
        RerunScope.FailedOnly => new ResolutionOverrides(new HashSet<string>(),
            run.Rows.Where(r => r.State.IsSatisfied()).Select(r => r.TaskId).ToHashSet(StringComparer.Ordinal)),
        RerunScope.TaskAndDownstream => new ResolutionOverrides(Tasks.ToHashSet(StringComparer.Ordinal), new HashSet<string>()),
        _ => null,
    };

    private static IEnumerable<int> Downstream(LiveRun run, int start)
    {
        var dependents = run.Detail.Edges.ToLookup(e => e.From, e => e.To);
        var seen = new SortedSet<int>();
        var stack = new Stack<int>([start]);
        while (stack.TryPop(out var index))
        {
            if (seen.Add(index))
            {
                foreach (var dependent in dependents[index])
                {
                    stack.Push(dependent);
                }
            }
        }

        return seen;
    }
}
