using System.Data.Common;

namespace Luigi.Engine.Storage;

/// <summary>
/// Commands made once per transaction and run again and again with new values: SQLite parses a statement each time a new
/// command runs it, and parsing the few statements of an outcome cost more than running them. A group of outcomes makes
/// each of its statements once (<see cref="SqliteCompletion"/>).
/// </summary>
internal sealed class CommandCache(SqlCommands sql, DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The command for <paramref name="text"/>, made and prepared on first use, with <paramref name="parameters"/> bound
    /// (the same names every time).</summary>
    public DbCommand For(string text, params (string Name, object? Value)[] parameters)
    {
        if (_commands.TryGetValue(text, out var command))
        {
            sql.Bind(command, parameters);
            return command;
        }

        command = sql.Command(connection, transaction, text, parameters);
        if (!sql.IsPostgres)
        {
            command.Prepare(); // in process, no round trip; PostgreSQL's connections prepare the statements they run often themselves
        }

        _commands[text] = command;
        return command;
    }

    public Task<int> ExecuteAsync(string text, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        For(text, parameters).ExecuteNonQueryAsync(cancellationToken);

    public Task<List<T>> QueryAsync<T>(string text, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        SqlCommands.ReadAllAsync(For(text, parameters), read, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }
    }
}
