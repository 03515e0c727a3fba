using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Engine.Storage;

// RunQueue's side of the tasks a running task requires at run time (see DynamicRequirementSql).
internal sealed partial class RunQueue
{
    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> SatisfiedAsync(Guid runId, IReadOnlyList<string> taskIds, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        var done = await context.RunTasks.AsNoTracking()
            .Where(t => t.RunId == runId && taskIds.Contains(t.TaskId) && (t.State == TaskState.Done || t.State == TaskState.Complete))
            .Select(t => t.TaskId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return done.ToHashSet(StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public async Task<(string Family, IReadOnlyDictionary<string, string> Parameters)?> DescribeTaskAsync(Guid runId, string taskId, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        var task = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId && t.TaskId == taskId)
            .Select(t => new { t.Family, t.Parameters }).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return task is null ? null : (task.Family, task.Parameters);
    }

    /// <inheritdoc />
    public Task<SuspendResult?> SuspendAsync(
        string hostId, ClaimedTask requester, TaskGraph requested, IReadOnlyList<LogLine> log, int truncatedLogLines, CancellationToken cancellationToken) =>
        DynamicRequirementSql.SuspendAsync(_sql, time, hostId, requester, requested, log, truncatedLogLines, cancellationToken);

    /// <inheritdoc />
    public async Task<int> SuspendedAttemptsAsync(Guid runId, int taskIndex, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        return await context.Attempts.CountAsync(a => a.RunId == runId && a.TaskIndex == taskIndex && a.Outcome == TaskState.Pending, cancellationToken)
            .ConfigureAwait(false);
    }
}
