using Luigi.Engine.Storage.Entities;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage;

// RunQueue's part for hosts and leases: a host's heartbeat and the leases it renews, a host stopping
// (its tasks given back or left to expire), and the recovery of what dead hosts held.
internal sealed partial class RunQueue
{
    /// <summary>
    /// Gives a running task back to the queue without judging it: its host is stopping. The attempt is
    /// closed as cancelled; the next claim starts a new one.
    /// </summary>
    public async Task ReleaseAsync(string hostId, ClaimedTask task, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var released = await _sql.ExecuteAsync(connection, transaction,
            """
            UPDATE run_tasks SET state = 'Pending', lease_expires_at = NULL
            WHERE run_id = @run AND task_index = @index AND state = 'Running' AND host_id = @host AND attempt_count = @attempt
            """,
            cancellationToken, ("run", task.RunId), ("index", task.TaskIndex), ("host", hostId), ("attempt", task.Attempt)).ConfigureAwait(false);
        if (released > 0)
        {
            await AttemptSql.CloseAsync(_sql, connection, transaction, task.RunId, task.TaskIndex, task.Attempt, TaskState.Cancelled,
                "The host stopped; the task was put back in the queue.", 0, now, cancellationToken).ConfigureAwait(false);
            await ExclusionSql.WakeAsync(_sql, connection, transaction, [task.TaskId], cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records this host's heartbeat and renews the leases of the tasks it <paramref name="holds"/>: those it
    /// runs, and those whose outcome waits to be committed. A task the store shows running on this host but
    /// that the host does not hold (a claim whose answer was lost with the connection) is not renewed, so
    /// its lease expires and the task goes back to the queue. Returns the held tasks that could not be renewed:
    /// the store no longer shows them running on this host (another attempt took them over, or their outcome was
    /// committed in the meantime).
    /// </summary>
    public async Task<IReadOnlyList<(Guid RunId, int TaskIndex)>> HeartbeatAsync(
        HostRecord host, TimeSpan lease, IReadOnlyCollection<(Guid RunId, int TaskIndex)> holds, CancellationToken cancellationToken)
    {
        var now = Now;
        var renewed = new HashSet<(Guid, int)>();
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, transaction,
            """
            INSERT INTO hosts (id, name, workers, started_at, heartbeat_at) VALUES (@id, @name, @workers, @started, @now)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = @now, stopped_at = NULL
            """,
            cancellationToken, ("id", host.Id), ("name", host.Name), ("workers", host.Workers), ("started", host.StartedAt), ("now", now))
            .ConfigureAwait(false);
        if (holds.Count > 0 && _sql.IsPostgres)
        {
            renewed.UnionWith(await _sql.QueryAsync(connection, transaction,
                """
                UPDATE run_tasks t SET lease_expires_at = @lease
                FROM unnest(@runs::uuid[], @indexes::integer[]) AS h(run_id, task_index)
                WHERE t.run_id = h.run_id AND t.task_index = h.task_index AND t.host_id = @id AND t.state = 'Running'
                RETURNING t.run_id, t.task_index
                """,
                r => (SqlCommands.ReadGuid(r, 0), r.GetInt32(1)),
                cancellationToken, ("lease", now + lease), ("id", host.Id), ("runs", holds.Select(h => h.RunId).ToArray()),
                ("indexes", holds.Select(h => h.TaskIndex).ToArray())).ConfigureAwait(false));
        }
        else if (holds.Count > 0)
        {
            await using var renew = _sql.Command(connection, transaction,
                "UPDATE run_tasks SET lease_expires_at = @lease WHERE run_id = @run AND task_index = @index AND host_id = @id AND state = 'Running'",
                ("lease", now + lease), ("id", host.Id), ("run", Guid.Empty), ("index", 0));
            foreach (var (runId, taskIndex) in holds)
            {
                _sql.Bind(renew, ("run", runId), ("index", taskIndex));
                if (await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
                {
                    renewed.Add((runId, taskIndex));
                }
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. holds.Where(h => !renewed.Contains(h))];
    }

    /// <summary>Marks the host stopped (its tasks, if any, are left to lease expiry).</summary>
    public async Task StopHostAsync(string hostId, CancellationToken cancellationToken)
    {
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await _sql.ExecuteAsync(connection, null, "UPDATE hosts SET stopped_at = @now WHERE id = @id",
            cancellationToken, ("now", Now), ("id", hostId)).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts back in the queue the running tasks whose lease has expired (their host stopped renewing
    /// it), closing their attempt as cancelled (a host that died is no failure of the task, and the attempt does
    /// not count against its retries); and hands runs left half-resolved by a dead host back to the
    /// queue (or, when it was being cancelled, ends it Cancelled). Returns the tasks re-queued and the runs whose state
    /// changed.
    /// </summary>
    public async Task<RequeueResult> RequeueExpiredAsync(TimeSpan hostTimeout, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var connection = await _sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var expired = await _sql.QueryAsync(connection, transaction,
            """
            UPDATE run_tasks SET state = 'Pending', lease_expires_at = NULL
            WHERE state = 'Running' AND lease_expires_at < @now
            RETURNING run_id, task_index, attempt_count, host_id, task_id
            """,
            r => (RunId: SqlCommands.ReadGuid(r, 0), TaskIndex: r.GetInt32(1), Attempt: r.GetInt32(2), Host: r.IsDBNull(3) ? "?" : r.GetString(3), TaskId: r.GetString(4)),
            cancellationToken, ("now", now)).ConfigureAwait(false);
        foreach (var (runId, taskIndex, attempt, host, _) in expired)
        {
            await AttemptSql.CloseAsync(_sql, connection, transaction, runId, taskIndex, attempt, TaskState.Cancelled,
                $"Lease expired: host {host} stopped renewing it; the task was put back in the queue.", 0, now, cancellationToken).ConfigureAwait(false);
        }

        // Waiters of the attempts just put back, and any a claim left waiting for an attempt that ended unseen.
        await ExclusionSql.WakeAsync(_sql, connection, transaction, null, cancellationToken).ConfigureAwait(false);
        var runs = await _sql.QueryAsync(connection, transaction,
            """
            UPDATE runs SET state = CASE WHEN state = 'Cancelling' THEN 'Cancelled' ELSE 'Queued' END,
                resolved_by = NULL, finished_at = CASE WHEN state = 'Cancelling' THEN @now ELSE finished_at END
            WHERE (state = 'Resolving' OR (state = 'Cancelling' AND task_count = 0))
              AND resolved_by IN (SELECT id FROM hosts WHERE heartbeat_at < @stale)
            RETURNING id, pipeline, state
            """,
            r => new RunStateChange(SqlCommands.ReadGuid(r, 0), r.GetString(1), Enum.Parse<RunState>(r.GetString(2))),
            cancellationToken, ("stale", now - hostTimeout), ("now", now)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RequeueResult([.. expired.Select(e => (e.RunId, e.TaskIndex, e.TaskId, e.Attempt))], runs);
    }
}
