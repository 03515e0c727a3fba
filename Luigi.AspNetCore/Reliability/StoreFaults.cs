using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Luigi.Web.Reliability;

/// <summary>
/// Tells an outage of the store (the database cannot be reached, is restarting, or dropped the connection) from
/// an error of the request or a bug: the first is answered 503 with <c>Retry-After</c>, and shown on the dashboard as
/// "the store is unreachable"; the second stays a 500. Looks through the whole chain of inner exceptions, since EF
/// Core wraps provider errors (<see cref="RetryLimitExceededException"/>, <see cref="InvalidOperationException"/>).
/// </summary>
public static class StoreFaults
{
    /// <summary>True when <paramref name="exception"/>, or one it wraps, says the store is unreachable for now.</summary>
    public static bool IsUnreachable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsUnreachableItself(e))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnreachableItself(Exception exception) => exception switch
    {
        // Class 08: connection exceptions; 57P01-57P03: the server shuts down or is starting; 53300: no connection slot.
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections,
        // Npgsql's own errors: I/O, sockets and timeouts are transient; a malformed connection string is not.
        NpgsqlException npgsql => npgsql.IsTransient,
        // SQLite: the file is locked by another writer past the busy timeout, or cannot be opened.
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6 or 14,
        SocketException or TimeoutException => true,
        _ => false,
    };
}
