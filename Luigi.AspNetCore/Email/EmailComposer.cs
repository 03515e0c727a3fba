using Luigi.Engine;
using Luigi.Engine.Storage;
using Luigi.Engine.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Email;

/// <summary>
/// Writes the content of a digest or a summary from the store, when it is first due, so that it lists
/// every failure of its window. A digest of a run that has already ended is not sent when the run's
/// summary will list the same failures (<see cref="SummaryPolicy"/>): one e-mail, not two.
/// </summary>
public sealed class EmailComposer(LuigiStore store, RunReader reader, EmailOptions options)
{
    /// <summary>Failed tasks described in full in one message; the rest are listed by id.</summary>
    public const int MaxDetailedFailures = 10;

    /// <summary>Blocked tasks listed by id under each failure; all are counted.</summary>
    public const int MaxListedBlocked = 20;

    /// <summary>The message's content, or why it is not to be sent.</summary>
    public async Task<ComposedEmail> ComposeAsync(EmailOutboxRecord message, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        var run = message.RunId is { } runId ? await context.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken) : null;
        if (run is null)
        {
            return ComposedEmail.Skip("The run no longer exists.");
        }

        var recipients = options.RecipientsFor(run.Pipeline);
        if (recipients.Count == 0)
        {
            return ComposedEmail.Skip($"No recipients: set Luigi:Email:Recipients or Luigi:Email:PipelineRecipients:{run.Pipeline}.");
        }

        var failed = context.RunTasks.AsNoTracking().Where(t => t.RunId == run.Id && t.State == TaskState.Failed);
        if (message.Kind == EmailKind.Digest)
        {
            if (run.FinishedAt is not null && SummaryCovers(run.State))
            {
                return ComposedEmail.Skip("The run ended before the window closed; its summary lists these failures.");
            }

            failed = failed.Where(t => t.FinishedAt >= message.WindowStart && t.FinishedAt < message.WindowEnd);
        }

        var failedTasks = await failed.OrderBy(t => t.FinishedAt).ThenBy(t => t.TaskIndex)
            .Select(t => new { t.TaskIndex, t.TaskId }).ToListAsync(cancellationToken);
        if (message.Kind == EmailKind.Digest && failedTasks.Count == 0)
        {
            return ComposedEmail.Skip("No task failed in the window.");
        }

        // Root causes first: the failures that blocked the most lead, each with what it blocked.
        var causes = (await reader.GetRootCausesAsync(run.Id, MaxListedBlocked, cancellationToken))?.Failures
            .ToDictionary(c => c.TaskId, StringComparer.Ordinal) ?? [];
        failedTasks = failedTasks.OrderByDescending(t => causes.GetValueOrDefault(t.TaskId)?.BlockedCount ?? 0).ToList();
        var reports = new List<FailureReport>();
        foreach (var task in failedTasks.Take(MaxDetailedFailures))
        {
            if (await reader.GetTaskAsync(run.Id, task.TaskIndex, cancellationToken) is { } detail)
            {
                reports.Add(Describe(detail, causes.GetValueOrDefault(task.TaskId)));
            }
        }

        var more = failedTasks.Skip(MaxDetailedFailures).Select(t => t.TaskId).ToList();
        var report = message.Kind == EmailKind.Digest
            ? Digest(run, reports, more)
            : await SummaryAsync(context, run, reports, more, cancellationToken);
        return new ComposedEmail(null, recipients, report.Subject, EmailBodies.Text(report), EmailBodies.Html(report));
    }

    private bool SummaryCovers(RunState state) => options.Summary switch
    {
        SummaryPolicy.Always => true,
        SummaryPolicy.OnFailure => state == RunState.Failed,
        _ => false,
    };

    private EmailReport Digest(RunRecord run, List<FailureReport> failures, List<string> more)
    {
        var count = failures.Count + more.Count;
        var hosts = string.Join(", ", failures.Select(f => f.Host ?? "?").Distinct());
        var subject = count == 1
            ? $"[Luigi] {run.Pipeline}: {failures[0].TaskId} failed on {hosts}"
            : $"[Luigi] {run.Pipeline}: {count} tasks failed on {hosts}";
        return new EmailReport(Trim(subject), $"{count} task(s) of {run.Pipeline} finally failed", RunFacts(run), RunLink(run), failures, more, []);
    }

    private async Task<EmailReport> SummaryAsync(
        LuigiDbContext context, RunRecord run, List<FailureReport> failures, List<string> more, CancellationToken cancellationToken)
    {
        var counts = await context.RunTasks.AsNoTracking().Where(t => t.RunId == run.Id).GroupBy(t => t.State)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var failedCount = failures.Count + more.Count;
        var subject = failedCount == 0
            ? $"[Luigi] {run.Pipeline} run {run.State.ToString().ToLowerInvariant()}"
            : $"[Luigi] {run.Pipeline} run failed: {failures[0].TaskId}{(failedCount > 1 ? $" and {failedCount - 1} more" : "")} failed on {failures[0].Host ?? "?"}";
        if (failedCount == 0 && run.State == RunState.Failed && run.Error is not null)
        {
            subject = $"[Luigi] {run.Pipeline} run failed: {run.Error.Split('\n')[0].TrimEnd()}";
        }

        var facts = RunFacts(run).Concat(counts.OrderBy(c => c.State).Select(c => (c.State.ToString(), c.Count.ToString()))).ToList();
        var notes = new List<(string, string)>();
        if (run.Error is not null)
        {
            notes.Add(("Run error", run.Error));
        }

        if (run.Summary is not null)
        {
            notes.Add(("Execution summary", run.Summary));
        }

        return new EmailReport(Trim(subject), $"Run of {run.Pipeline} {run.State.ToString().ToLowerInvariant()}", facts, RunLink(run), failures, more, notes);
    }

    private FailureReport Describe(TaskDetail detail, RootCause? cause)
    {
        var blocked = cause is { BlockedCount: > 0 } ? new BlockedReport(cause.BlockedCount, cause.BlockedByFamily, cause.Blocked.Select(b => b.TaskId).ToList()) : null;
        var last = detail.Attempts.Count > 0 ? detail.Attempts[^1] : null;
        var log = last?.Log ?? [];
        return new FailureReport(
            detail.Task.TaskId, $"{BaseUrl}/runs/{detail.RunId}/tasks/{detail.Task.Index}", detail.Task.Parameters, detail.Task.AttemptCount,
            HostName(last?.HostId ?? detail.Task.HostId), detail.Task.FinishedAt, detail.Error ?? last?.Error,
            log.Skip(Math.Max(0, log.Count - options.LogLines)).Select(l => $"{l.At:HH:mm:ss} {l.Level}: {l.Message}").ToList(), blocked);
    }

    private static List<(string, string)> RunFacts(RunRecord run) =>
    [
        ("Pipeline", run.Pipeline),
        ("Run", run.Id.ToString()),
        ("State", run.State.ToString()),
        ("Parameters", string.Join(", ", run.Parameters.Select(p => $"{p.Key}={p.Value}"))),
    ];

    private string BaseUrl => (options.DashboardUrl ?? "").TrimEnd('/');

    private string RunLink(RunRecord run) => $"{BaseUrl}/runs/{run.Id}";

    /// <summary>The machine part of a host id (<c>machine:pid:suffix</c>).</summary>
    private static string? HostName(string? hostId) => hostId?.Split(':')[0];

    private static string Trim(string subject) =>
        (subject.Length > 900 ? subject[..900] + "…" : subject).ReplaceLineEndings(" ");
}
