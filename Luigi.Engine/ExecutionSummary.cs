using System.Globalization;
using System.Text;
using Luigi.Engine.Graph;

namespace Luigi.Engine;

/// <summary>
/// The end-of-run report, in the spirit of Luigi's execution summary: how many tasks were scheduled,
/// which were already complete, which ran, which failed (with the first line of the error) and which
/// were blocked (with the failure that blocked them). Long sections are grouped by family.
/// </summary>
public sealed class ExecutionSummary
{
    private const int ExamplesPerFamily = 3;
    private const int MaxListedFailures = 20;

    private readonly IReadOnlyList<SummaryEntry> _tasks;

    internal ExecutionSummary(TaskGraph graph, TimeSpan duration)
        : this(graph.Nodes.Select(n => new SummaryEntry(n.TaskId, n.Family, n.State, n.Attempts.Count, n.ErrorSummary, n.BlockedBy)), duration)
    {
    }

    /// <summary>A summary of tasks read back from a store.</summary>
    public ExecutionSummary(IEnumerable<SummaryEntry> tasks, TimeSpan duration)
    {
        _tasks = tasks.ToList();
        Duration = duration;
        Complete = Select(TaskState.Complete);
        Ran = Select(TaskState.Done);
        Failed = Select(TaskState.Failed);
        Blocked = Select(TaskState.UpstreamFailed);
        Cancelled = Select(TaskState.Cancelled);
    }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Every task in the graph.</summary>
    public int Scheduled => _tasks.Count;

    /// <summary>Tasks found complete and skipped.</summary>
    public IReadOnlyList<SummaryEntry> Complete { get; }

    /// <summary>Tasks that ran successfully.</summary>
    public IReadOnlyList<SummaryEntry> Ran { get; }

    /// <summary>Tasks that failed.</summary>
    public IReadOnlyList<SummaryEntry> Failed { get; }

    /// <summary>Tasks not run because a requirement failed.</summary>
    public IReadOnlyList<SummaryEntry> Blocked { get; }

    /// <summary>Tasks stopped or never started because the run was cancelled.</summary>
    public IReadOnlyList<SummaryEntry> Cancelled { get; }

    /// <summary>The report as text.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine("===== Luigi Execution Summary =====").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Scheduled {Plural(Scheduled, "task")} of which:");
        Section(text, Complete, "were already complete (skipped)");
        Section(text, Ran, "ran successfully");
        if (Failed.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"* {Failed.Count} failed:");
            foreach (var node in Failed.Take(MaxListedFailures))
            {
                var attempts = node.Attempts > 1 ? $" (after {node.Attempts} attempts)" : "";
                text.AppendLine(CultureInfo.InvariantCulture, $"    - {node.TaskId}{attempts}: {node.ErrorSummary}");
            }

            More(text, Failed.Count - MaxListedFailures, "    ");
        }

        if (Blocked.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"* {Blocked.Count} were blocked by failed dependencies:");
            foreach (var group in Blocked.GroupBy(n => (n.Family, n.BlockedBy)).Take(MaxListedFailures))
            {
                var items = group.ToList();
                var who = items.Count == 1 ? items[0].TaskId : $"{items.Count} {group.Key.Family}";
                text.AppendLine(CultureInfo.InvariantCulture, $"    - {who}, blocked by {group.Key.BlockedBy}");
            }
        }

        Section(text, Cancelled, "were cancelled");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"This progress looks {Verdict()} (took {Duration.TotalSeconds:0.00} s)");
        text.AppendLine().Append("===== Luigi Execution Summary =====");
        return text.ToString();
    }

    private string Verdict() => (Failed.Count, Blocked.Count, Cancelled.Count) switch
    {
        ( > 0, _, _) => ":( because there were failed tasks",
        (_, > 0, _) => ":( because there were blocked tasks",
        (_, _, > 0) => ":| because the run was cancelled",
        _ => ":) because there were no failed tasks",
    };

    private static void Section(StringBuilder text, IReadOnlyList<SummaryEntry> nodes, string what)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"* {nodes.Count} {what}:");
        foreach (var family in nodes.GroupBy(n => n.Family))
        {
            var items = family.ToList();
            if (items.Count == 1)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    - {items[0].TaskId}");
                continue;
            }

            var examples = string.Join(", ", items.Take(ExamplesPerFamily).Select(n => n.TaskId));
            var rest = items.Count > ExamplesPerFamily ? $", ... and {items.Count - ExamplesPerFamily} more" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"    - {items.Count} {family.Key}: {examples}{rest}");
        }
    }

    private static void More(StringBuilder text, int more, string indent)
    {
        if (more > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}... and {more} more");
        }
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private List<SummaryEntry> Select(TaskState state) => _tasks.Where(n => n.State == state).ToList();
}

/// <summary>One task as the summary sees it.</summary>
public sealed record SummaryEntry(string TaskId, string Family, TaskState State, int Attempts, string? ErrorSummary, string? BlockedBy);
