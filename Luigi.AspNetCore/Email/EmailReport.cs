namespace Luigi.Web.Email;

/// <summary>What one e-mail says, before it is rendered as text and as HTML (<see cref="EmailBodies"/>).</summary>
/// <param name="Subject">The subject line.</param>
/// <param name="Heading">The first line of the body.</param>
/// <param name="Facts">Name and value pairs about the run (pipeline, parameters, state, counts).</param>
/// <param name="RunLink">The run on the dashboard.</param>
/// <param name="Failures">The failed tasks described in full.</param>
/// <param name="MoreFailures">Further failed tasks, by id only, past the number described in full.</param>
/// <param name="Notes">Free text: the run's error, its execution summary.</param>
public sealed record EmailReport(
    string Subject, string Heading, IReadOnlyList<(string Name, string Value)> Facts, string? RunLink,
    IReadOnlyList<FailureReport> Failures, IReadOnlyList<string> MoreFailures, IReadOnlyList<(string Title, string Text)> Notes);

/// <summary>One task that finally failed.</summary>
/// <param name="TaskId">Its id.</param>
/// <param name="Link">The task on the dashboard.</param>
/// <param name="Parameters">Its parameter values.</param>
/// <param name="Attempts">How many attempts it had.</param>
/// <param name="Host">The host of its last attempt.</param>
/// <param name="FailedAt">When it finally failed (UTC).</param>
/// <param name="Error">The error with its stack trace.</param>
/// <param name="LogTail">The last lines of its last attempt's log.</param>
/// <param name="Blocked">What it blocked: tasks that did not run because it failed.</param>
public sealed record FailureReport(
    string TaskId, string Link, IReadOnlyDictionary<string, string> Parameters, int Attempts, string? Host, DateTime? FailedAt, string? Error,
    IReadOnlyList<string> LogTail, BlockedReport? Blocked = null);

/// <summary>The tasks one failure blocked.</summary>
/// <param name="Count">How many.</param>
/// <param name="ByFamily">How many of each family, most first.</param>
/// <param name="TaskIds">The first of them by index.</param>
public sealed record BlockedReport(int Count, IReadOnlyDictionary<string, int> ByFamily, IReadOnlyList<string> TaskIds)
{
    /// <summary>"25 tasks (LayeredTask 25)".</summary>
    public string Summary => $"{Count} task{(Count == 1 ? "" : "s")} ({string.Join(", ", ByFamily.Select(f => $"{f.Key} {f.Value}"))})";

    /// <summary>The ids listed, and how many more there are.</summary>
    public string List => string.Join(", ", TaskIds) + (Count > TaskIds.Count ? $" and {Count - TaskIds.Count} more" : "");
}
