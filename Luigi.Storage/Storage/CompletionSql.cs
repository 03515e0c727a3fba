using Luigi.Engine.Graph;
using Npgsql;
using Luigi.Engine.Execution;

namespace Luigi.Engine.Storage;

/// <summary>
/// Commits a group of outcomes on PostgreSQL with set-based SQL: one round trip and one commit for the
/// whole group, whatever its size. The statements run in one implicit transaction (a batch without an
/// explicit one), so either every outcome of the group and all its consequences are committed, or none.
/// </summary>
/// <remarks>
/// The first statement guards, writes and propagates: an outcome is accepted only while its task is still
/// Running under this host with the same attempt (a host whose lease was taken over writes nothing);
/// accepted attempts are written (their one row, from the task's: <see cref="AttemptSql"/>) with their log lines; dependents of accepted Done tasks lose one
/// unsatisfied requirement per such task; everything downstream of an accepted Failed task that still
/// waits becomes UpstreamFailed; the runs' unfinished counts drop by what ended. Its parts are
/// data-modifying CTEs, which all see one snapshot, so no row may be changed by two of them: the tasks
/// of the group are Running and their dependents are not (a task is claimed only once its requirements
/// are done), and the decrement leaves out the tasks that the cascade blocks. The second statement
/// sees the first one's effects and finishes the runs with nothing left to do; it also wakes the tasks of other runs
/// that waited for an attempt of the group (<see cref="ExclusionSql.PostgresWakeUpdate"/>). An outcome
/// <c>Complete</c> is a task claimed for a second look and found complete, <c>Pending</c> a task claimed ahead and given back
/// unstarted: either way its attempt never ran, is not written, and its number is taken back.
/// </remarks>
internal static class CompletionSql
{
    /// <summary>
    /// The first statement for a group, by what the group holds: the cascade of a failure (<c>downstream</c>, <c>blocked</c>)
    /// only when an outcome is Failed, the insert of log lines only when there are some. Each part left out would have read
    /// and written nothing; leaving it out spares PostgreSQL setting up its plan nodes at every execution, which for a group
    /// of one outcome (a chain's step) cost about as much as running them.
    /// </summary>
    private static readonly string[] CompleteGroup =
        [CompleteGroupText(failures: false, logs: false), CompleteGroupText(failures: false, logs: true),
         CompleteGroupText(failures: true, logs: false), CompleteGroupText(failures: true, logs: true)];

    private static string CompleteGroupText(bool failures, bool logs) =>
        $"""
        WITH {(failures ? "RECURSIVE " : "")}outcome AS (
            SELECT * FROM unnest(@runs::uuid[], @indexes::integer[], @attempts::integer[], @states::text[], @ended::timestamptz[],
                @notBefore::timestamptz[], @summaries::text[], @errors::text[], @truncated::integer[], @blockedBy::text[], @ranBy::integer[], @ranFrom::timestamptz[])
                AS o(run_id, task_index, attempt, state, ended_at, not_before, error_summary, error, truncated, blocked_by, worker, started_at)),
        accepted AS (
            UPDATE run_tasks t SET state = CASE WHEN o.state = 'Pending' AND t.attempt_count > 1 THEN 'RetryWaiting' ELSE o.state END,
                finished_at = CASE WHEN o.state IN ('RetryWaiting', 'Complete', 'Pending') THEN NULL ELSE o.ended_at END,
                attempt_count = CASE WHEN o.state IN ('Complete', 'Pending') THEN t.attempt_count - 1 ELSE t.attempt_count END,
                worker = coalesce(o.worker, t.worker), started_at = coalesce(o.started_at, t.started_at),
                not_before = o.not_before, lease_expires_at = NULL, error_summary = o.error_summary, blocked_by = o.blocked_by,
                error = CASE WHEN o.state = 'Failed' THEN o.error ELSE t.error END
            FROM outcome o
            WHERE t.run_id = o.run_id AND t.task_index = o.task_index AND {ClaimSql.StillRunning("t")} AND t.host_id = @host AND t.attempt_count = o.attempt
            RETURNING t.run_id, t.task_index, t.task_id, o.attempt, o.state, o.ended_at, o.error, o.truncated, t.worker, t.started_at, t.host_id),
        closed AS (
            INSERT INTO attempts (run_id, task_index, number, started_at, outcome, host_id, worker, truncated_log_lines, finished_at, error)
            SELECT x.run_id, x.task_index, x.attempt, x.started_at, CASE WHEN x.state = 'RetryWaiting' THEN 'Failed' ELSE x.state END, x.host_id, x.worker,
                x.truncated, x.ended_at, x.error
            FROM accepted x WHERE x.state NOT IN ('Complete', 'Pending')),{(logs ? Logged : "")}{(failures ? Cascade : "")}
        released AS (
            UPDATE run_tasks t SET remaining_requirements = t.remaining_requirements - r.n
            FROM (SELECT e.run_id, e.dependent_index, count(*)::integer AS n
                  FROM accepted x JOIN run_edges e ON e.run_id = x.run_id AND e.requirement_index = x.task_index
                  WHERE x.state IN ('Done', 'Complete')
                  GROUP BY e.run_id, e.dependent_index) r
            WHERE t.run_id = r.run_id AND t.task_index = r.dependent_index{(failures ? NotBlocked : "")}
            RETURNING t.run_id, t.remaining_requirements, t.state),
        counted AS (
            UPDATE runs r SET unfinished_count = r.unfinished_count - f.n
            FROM (SELECT run_id, count(*)::integer AS n
                  FROM (SELECT run_id FROM accepted WHERE state IN ('Done', 'Complete', 'Failed', 'Cancelled'){(failures ? " UNION ALL SELECT run_id FROM blocked" : "")}) ended
                  GROUP BY run_id) f
            WHERE r.id = f.run_id)
        SELECT 'accepted', run_id, task_index, NULL, NULL FROM accepted
        UNION ALL{(failures ? BlockedRows : "")}
        SELECT 'released', run_id, count(*)::integer, NULL, NULL FROM released WHERE remaining_requirements = 0 AND state = 'Pending' GROUP BY run_id
        """;

    /// <summary>The log lines of the accepted attempts (a CTE of <see cref="CompleteGroupText"/>).</summary>
    private const string Logged =
        """

        logged AS (
            INSERT INTO attempt_log_lines (run_id, task_index, attempt, sequence, at, level, message)
            SELECT l.run_id, l.task_index, l.attempt, l.sequence, l.at, l.level, l.message
            FROM unnest(@logRuns::uuid[], @logIndexes::integer[], @logAttempts::integer[], @logSequences::integer[], @logAts::timestamptz[],
                @logLevels::text[], @logMessages::text[]) AS l(run_id, task_index, attempt, sequence, at, level, message)
            JOIN accepted x ON x.run_id = l.run_id AND x.task_index = l.task_index AND x.attempt = l.attempt),
        """;

    /// <summary>What a failure blocks: everything downstream of it that still waits (CTEs of <see cref="CompleteGroupText"/>).</summary>
    private const string Cascade =
        """

        downstream(run_id, task_index, blocked_by) AS (
            SELECT e.run_id, e.dependent_index, x.task_id
            FROM accepted x JOIN run_edges e ON e.run_id = x.run_id AND e.requirement_index = x.task_index
            WHERE x.state = 'Failed'
            UNION
            SELECT e.run_id, e.dependent_index, d.blocked_by
            FROM downstream d JOIN run_edges e ON e.run_id = d.run_id AND e.requirement_index = d.task_index),
        blocked AS (
            UPDATE run_tasks t SET state = 'UpstreamFailed', blocked_by = d.blocked_by, finished_at = @now
            FROM downstream d
            WHERE t.run_id = d.run_id AND t.task_index = d.task_index AND t.state = 'Pending'
            RETURNING t.run_id, t.task_index, t.task_id, t.blocked_by),
        """;

    /// <summary>The decrement leaves out the tasks that the cascade blocks (no row is changed by two parts of one statement).</summary>
    private const string NotBlocked =
        """

              AND NOT EXISTS (SELECT 1 FROM downstream d WHERE d.run_id = r.run_id AND d.task_index = r.dependent_index)
        """;

    private const string BlockedRows =
        """

        SELECT 'blocked', run_id, task_index, task_id, blocked_by FROM blocked
        UNION ALL
        """;

    // Waking the waiters and finishing the runs share the second statement's snapshot, which sees the first one's effects
    // (and the claims committed while it ran); they change different tables.
    private static readonly string WakeAndFinishRuns =
        $"""
        WITH woken AS (
            {ExclusionSql.PostgresWakeUpdate}
            RETURNING w.run_id),
        finished AS (
            UPDATE runs SET finished_at = @now, state = CASE
                    WHEN NOT EXISTS (SELECT 1 FROM run_tasks t WHERE t.run_id = runs.id AND t.is_root AND t.state NOT IN ('Done', 'Complete')) THEN 'Succeeded'
                    WHEN state = 'Cancelling' THEN 'Cancelled'
                    ELSE 'Failed' END
            WHERE id = ANY(@runs::uuid[]) AND unfinished_count = 0 AND state IN ('Running', 'Cancelling')
            RETURNING id, state, pipeline)
        SELECT 'finished', id, state, pipeline FROM finished
        UNION ALL
        SELECT 'woken', run_id, NULL, NULL FROM woken
        """;

    /// <summary>
    /// Commits <paramref name="group"/>; the result at position i is null when outcome i was refused (lease
    /// lost). With <paramref name="claim"/>, the same transaction then claims ready tasks for idle workers,
    /// among them the dependents this group released (see <see cref="ClaimSql.PostgresStatement"/>).
    /// </summary>
    public static async Task<(CompletionResult?[] Results, List<ClaimedTask> Claimed)> CompleteAsync(
        SqlCommands sql, string hostId, IReadOnlyList<TaskCompletion> group, ClaimRequest? claim, DateTime now, CancellationToken cancellationToken)
    {
        var count = group.Count;
        var lines = group.Sum(c => c.Log.Count);
        var (logRuns, logIndexes, logAttempts, logSequences) = (new Guid[lines], new int[lines], new int[lines], new int[lines]);
        var (logAts, logLevels, logMessages) = (new DateTime[lines], new string[lines], new string[lines]);
        var line = 0;
        foreach (var completion in group)
        {
            for (var sequence = 0; sequence < completion.Log.Count; sequence++, line++)
            {
                var entry = completion.Log[sequence];
                (logRuns[line], logIndexes[line], logAttempts[line], logSequences[line]) = (completion.RunId, completion.TaskIndex, completion.Attempt, sequence);
                (logAts[line], logLevels[line], logMessages[line]) = (entry.At.UtcDateTime, entry.Level.ToString(), SqlCommands.NoNul(entry.Message));
            }
        }

        var runIds = group.Select(c => c.RunId).Distinct().ToArray();
        var failures = group.Any(c => c.State == TaskState.Failed);
        var complete = SqlCommands.BatchCommand(CompleteGroup[(failures ? 2 : 0) + (lines > 0 ? 1 : 0)],
            ("host", hostId), ("runs", group.Select(c => c.RunId).ToArray()), ("indexes", group.Select(c => c.TaskIndex).ToArray()),
            ("attempts", group.Select(c => c.Attempt).ToArray()), ("states", group.Select(c => c.State.ToString()).ToArray()),
            ("ended", group.Select(c => c.FinishedAt ?? now).ToArray()), ("notBefore", group.Select(c => c.RetryAt).ToArray()),
            ("summaries", group.Select(c => c.Error is null ? null : SqlCommands.NoNul(TaskNode.FirstLine(c.Error))).ToArray()),
            ("errors", group.Select(c => SqlCommands.NoNul(c.Error)).ToArray()),
            ("truncated", group.Select(c => c.TruncatedLogLines).ToArray()), ("blockedBy", group.Select(c => c.BlockedBy).ToArray()),
            ("ranBy", group.Select(c => c.RanBy?.Worker).ToArray()), ("ranFrom", group.Select(c => c.RanBy?.StartedAt).ToArray()));
        if (failures)
        {
            SqlCommands.Add(complete, ("now", now));
        }

        if (lines > 0)
        {
            SqlCommands.Add(complete, ("logRuns", logRuns), ("logIndexes", logIndexes), ("logAttempts", logAttempts), ("logSequences", logSequences),
                ("logAts", logAts), ("logLevels", logLevels), ("logMessages", logMessages));
        }

        await using var connection = (NpgsqlConnection)await sql.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                complete,
                SqlCommands.BatchCommand(WakeAndFinishRuns, ("now", now), ("runs", runIds), ("ids", group.Select(c => c.TaskId).Distinct().ToArray())),
            },
        };
        if (claim is not null)
        {
            batch.BatchCommands.Add(ClaimSql.PostgresStatement(hostId, claim.Workers, now, now + claim.Lease, claim.OnlyRun));
        }

        var claimed = new List<ClaimedTask>();

        var accepted = new HashSet<(Guid, int)>();
        var blocked = new Dictionary<(Guid RunId, string BlockedBy), List<(int, string)>>();
        var released = new Dictionary<Guid, int>();
        var finished = new Dictionary<Guid, (RunState State, string Pipeline)>();
        var woken = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var runId = reader.GetGuid(1);
                switch (reader.GetString(0))
                {
                    case "accepted":
                        accepted.Add((runId, reader.GetInt32(2)));
                        break;
                    case "blocked":
                        var key = (runId, reader.GetString(4));
                        if (!blocked.TryGetValue(key, out var list))
                        {
                            blocked[key] = list = [];
                        }

                        list.Add((reader.GetInt32(2), reader.GetString(3)));
                        break;
                    default:
                        released[runId] = reader.GetInt32(2);
                        break;
                }
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.GetString(0) == "woken")
                {
                    woken++;
                }
                else
                {
                    finished[reader.GetGuid(1)] = (Enum.Parse<RunState>(reader.GetString(2)), reader.GetString(3));
                }
            }

            if (claim is not null)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                claimed = await ClaimSql.ReadAsync(reader, now, cancellationToken).ConfigureAwait(false);
            }
        }

        // What a group caused is told through its outcomes: the releases of a run with the first accepted
        // outcome of that run, the end of a run with the last one, the tasks blocked with the failure that blocked them.
        var results = new CompletionResult?[count];
        var lastOfRun = new Dictionary<Guid, int>();
        for (var i = 0; i < count; i++)
        {
            var completion = group[i];
            if (!accepted.Contains((completion.RunId, completion.TaskIndex)))
            {
                continue;
            }

            released.Remove(completion.RunId, out var releasedHere);
            releasedHere += woken; // tasks of other runs that waited for this group: ready too
            woken = 0;
            results[i] = new CompletionResult(releasedHere,
                blocked.TryGetValue((completion.RunId, completion.TaskId), out var blockedHere) ? blockedHere : [], null);
            lastOfRun[completion.RunId] = i;
        }

        foreach (var (runId, i) in lastOfRun)
        {
            if (finished.TryGetValue(runId, out var end))
            {
                results[i] = results[i]! with { RunFinished = end.State, Pipeline = end.Pipeline };
            }
        }

        return (results, claimed);
    }
}
