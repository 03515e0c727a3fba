using Luigi.Engine.Execution;
using Luigi.Engine.Graph;
using Microsoft.EntityFrameworkCore;

namespace Luigi.Engine.Storage;

// RunQueue's answer to a process that resolved a run itself and wants its result as a graph (LuigiEngine on a store).
internal sealed partial class RunQueue
{
    /// <inheritdoc />
    public async Task LoadAsync(Guid runId, TaskGraph graph, CancellationToken cancellationToken)
    {
        await using var context = store.CreateDbContext();
        var tasks = await context.RunTasks.AsNoTracking().Where(t => t.RunId == runId)
            .Select(t => new { t.TaskIndex, t.State, t.Error, t.BlockedBy }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var attempts = await context.Attempts.AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.TaskIndex).ThenBy(a => a.Number)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var logs = (await context.AttemptLogLines.AsNoTracking().Where(l => l.RunId == runId).OrderBy(l => l.Sequence)
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(l => (l.TaskIndex, l.Attempt), l => new LogLine(new DateTimeOffset(l.At, TimeSpan.Zero), l.Level, l.Message));
        foreach (var task in tasks)
        {
            var node = graph.Nodes[task.TaskIndex];
            node.State = task.State;
            node.Error = task.Error;
            node.BlockedBy = task.BlockedBy;
        }

        foreach (var attempt in attempts)
        {
            var node = graph.Nodes[attempt.TaskIndex];
            if (node.Attempts.Count >= attempt.Number)
            {
                continue;
            }

            var record = new AttemptRecord(attempt.Number, attempt.Worker, new DateTimeOffset(attempt.StartedAt, TimeSpan.Zero));
            if (attempt.FinishedAt is { } finished)
            {
                record.Close(new DateTimeOffset(finished, TimeSpan.Zero), attempt.Outcome, attempt.Error, [.. logs[(attempt.TaskIndex, attempt.Number)]],
                    attempt.TruncatedLogLines);
            }

            node.AddAttempt(record);
        }
    }
}
