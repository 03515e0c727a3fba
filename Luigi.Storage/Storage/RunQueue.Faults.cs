using Npgsql;

namespace Luigi.Engine.Storage;

/// <summary>What only the database's driver can tell the executor's retries (<see cref="Execution.DatabaseRetry"/>).</summary>
internal sealed partial class RunQueue
{
    /// <summary>
    /// PostgreSQL classes 22 and 23. A second running row for one task id (<c>ux_run_tasks_running_task</c>) is not such an
    /// error: it comes from the claim at the end of a group commit, which lost a race for that id to another host, and trying
    /// again sees the winner.
    /// </summary>
    public bool IsDataError(Exception exception) =>
        exception is PostgresException { SqlState: ['2', '2' or '3', ..] } && !LostTaskIdRace(exception);

    /// <summary>
    /// After a server shut down or restarted, the pool's idle connections are dead too: they are dropped, so that the next
    /// try opens a new connection instead of meeting the same failure on the next pooled one.
    /// </summary>
    public void ForgetBrokenConnections(Exception exception)
    {
        var npgsql = exception as NpgsqlException ?? exception.InnerException as NpgsqlException;
        if (npgsql is not null && (npgsql is not PostgresException postgres || postgres.SqlState.StartsWith("57", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)))
        {
            NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>Two hosts claimed one task id at once and the database refused the second (see <c>ClaimSql</c>).</summary>
    private static bool LostTaskIdRace(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_run_tasks_running_task" };
}
