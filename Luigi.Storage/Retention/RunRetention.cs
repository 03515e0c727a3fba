using System.Data.Common;
using Luigi.Engine.Storage;

namespace Luigi.Engine.Retention;

/// <summary>
/// Deletes finished runs older than a cut-off with everything that belongs to them (tasks, attempts, log lines, edges,
/// audit entries, e-mail of the outbox), in batches of at most <see cref="RetentionOptions.BatchSize"/> tasks per
/// transaction, oldest first: several small runs go in one transaction, a large run is taken apart over several
/// (its tasks in ranges of indexes, the run itself last). Short transactions keep the locks short, so hosts working
/// on recent runs do not wait behind a sweep. On PostgreSQL one host sweeps at a time: each transaction first takes a
/// transaction-level advisory lock (<see cref="AdvisoryLockKey"/>) without waiting, and a host that does not get it
/// leaves the sweep to the one that has it. SQLite has a single host.
/// </summary>
/// <remarks>
/// A run counts as old when it finished before the cut-off; runs still queued or running are never touched. The
/// candidates are found through the index on <c>created_at</c> (a run finished before the cut-off was created before it).
/// </remarks>
public sealed class RunRetention(LuigiStore store)
{
    /// <summary>The PostgreSQL advisory lock that lets one host sweep at a time ("luigiRet" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x6C75_6967_6952_6574;

    private const string Finished = "state IN ('Succeeded', 'Failed', 'Cancelled')";

    private readonly SqlCommands _sql = new(store);

    /// <summary>
    /// Deletes the runs that finished before <paramref name="cutoff"/>, batch by batch, until none is left (or another
    /// host holds the sweep). Returns how many runs and tasks were deleted.
    /// </summary>
    public async Task<RetentionResult> DeleteFinishedBeforeAsync(DateTime cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var total = new RetentionResult(0, 0);
        while (await DeleteBatchAsync(cutoff, batchSize, cancellationToken).ConfigureAwait(false) is { } batch)
        {
            total = new RetentionResult(total.Runs + batch.Runs, total.Tasks + batch.Tasks);
        }

        return total;
    }

    /// <summary>One transaction's worth of deletion; null when there is nothing (more) to do for this host.</summary>
    private async Task<RetentionResult?> DeleteBatchAsync(DateTime cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (_sql.IsPostgres && !await TryLockAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var candidates = await _sql.QueryAsync(connection, transaction,
            $"""
            SELECT id, task_count FROM runs
            WHERE created_at < @cutoff AND finished_at < @cutoff AND {Finished}
            ORDER BY created_at LIMIT @limit
            """,
            r => (Id: SqlCommands.ReadGuid(r, 0), Tasks: r.GetInt32(1)), cancellationToken, ("cutoff", cutoff), ("limit", batchSize))
            .ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return null;
        }

        RetentionResult result;
        if (candidates[0].Tasks > batchSize)
        {
            result = await DeletePartAsync(connection, transaction, candidates[0].Id, batchSize, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var runs = 0;
            var tasks = 0;
            foreach (var (id, count) in candidates)
            {
                if (tasks + count > batchSize)
                {
                    break; // a run too many for this transaction: the next one takes it
                }

                await DeleteChildrenAsync(connection, transaction, id, null, cancellationToken).ConfigureAwait(false);
                await DeleteRunAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
                runs++;
                tasks += count;
            }

            result = new RetentionResult(runs, tasks);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Deletes the next <paramref name="batchSize"/> task indexes of a large run, or the run once it has no task left.</summary>
    private async Task<RetentionResult> DeletePartAsync(DbConnection connection, DbTransaction transaction, Guid runId, int batchSize, CancellationToken cancellationToken)
    {
        await using var lowest = _sql.Command(connection, transaction, "SELECT MIN(task_index) FROM run_tasks WHERE run_id = @run", ("run", runId));
        if (await lowest.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not { } value || value is DBNull)
        {
            await DeleteChildrenAsync(connection, transaction, runId, null, cancellationToken).ConfigureAwait(false); // edges of no task, if any
            await DeleteRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
            return new RetentionResult(1, 0);
        }

        var start = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        var deleted = await DeleteChildrenAsync(connection, transaction, runId, (start, start + batchSize), cancellationToken).ConfigureAwait(false);
        return new RetentionResult(0, deleted);
    }

    /// <summary>Deletes the log lines, attempts, edges and tasks of a run, or of its tasks in <paramref name="range"/>
    /// (edges by their requirement); returns how many tasks went.</summary>
    private async Task<int> DeleteChildrenAsync(
        DbConnection connection, DbTransaction transaction, Guid runId, (int From, int To)? range, CancellationToken cancellationToken)
    {
        var tasks = range is null ? "" : " AND task_index >= @from AND task_index < @to";
        var edges = range is null ? "" : " AND requirement_index >= @from AND requirement_index < @to";
        (string, object?)[] parameters = [("run", runId), ("from", range?.From ?? 0), ("to", range?.To ?? 0)];
        await _sql.ExecuteAsync(connection, transaction, $"DELETE FROM attempt_log_lines WHERE run_id = @run{tasks}", cancellationToken, parameters).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, transaction, $"DELETE FROM attempts WHERE run_id = @run{tasks}", cancellationToken, parameters).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, transaction, $"DELETE FROM run_edges WHERE run_id = @run{edges}", cancellationToken, parameters).ConfigureAwait(false);
        return await _sql.ExecuteAsync(connection, transaction, $"DELETE FROM run_tasks WHERE run_id = @run{tasks}", cancellationToken, parameters).ConfigureAwait(false);
    }

    private async Task DeleteRunAsync(DbConnection connection, DbTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await _sql.ExecuteAsync(connection, transaction, "DELETE FROM audit_entries WHERE run_id = @run", cancellationToken, ("run", runId)).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, transaction, "DELETE FROM email_outbox WHERE run_id = @run", cancellationToken, ("run", runId)).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, transaction, "DELETE FROM runs WHERE id = @run", cancellationToken, ("run", runId)).ConfigureAwait(false);
    }

    private async Task<bool> TryLockAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = _sql.Command(connection, transaction, "SELECT pg_try_advisory_xact_lock(@key)", ("key", AdvisoryLockKey));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }
}

/// <summary>What a retention sweep deleted.</summary>
/// <param name="Runs">Runs deleted whole.</param>
/// <param name="Tasks">Tasks deleted (of those runs, and parts of runs still being deleted).</param>
public sealed record RetentionResult(int Runs, int Tasks);
