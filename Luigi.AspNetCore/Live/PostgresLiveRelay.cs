using System.Text.Json;
using Luigi.Engine.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Luigi.Web.Live;

/// <summary>
/// Carries live changes between the hosts that share one PostgreSQL store: this host's own batches go out
/// with <c>NOTIFY luigi_changes</c> (see <see cref="LiveWire"/>), and a dedicated connection LISTENs for the
/// other hosts' and feeds them into this host's <see cref="LiveFeed"/>. Messages from this host are ignored.
/// When the listening connection is lost, it reconnects with backoff and then emits a batch with
/// <see cref="LiveBatch.Resync"/> (changes may have been missed meanwhile). On SQLite there is one host
/// only, and nothing to relay: the service does nothing.
/// </summary>
public sealed class PostgresLiveRelay : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly LiveFeed _feed;
    private readonly StoreProvider _provider;
    private readonly string _connectionString;
    private readonly LiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlDataSource? _publisher;
    private IDisposable? _subscription;
    private long _sequence;
    private int _listens;
    private int _disposed;

    /// <param name="feed">This host's feed: its local batches are published, the others' changes are added to it.</param>
    /// <param name="provider">The store's provider: nothing is relayed unless it is PostgreSQL.</param>
    /// <param name="connectionString">The store's connection string.</param>
    /// <param name="options">Reconnection backoff.</param>
    /// <param name="time">The clock of the backoff.</param>
    /// <param name="logger">Where lost connections are told.</param>
    public PostgresLiveRelay(
        LiveFeed feed, StoreProvider provider, string connectionString, LiveOptions options, TimeProvider? time = null, ILogger<PostgresLiveRelay>? logger = null)
    {
        options.Validate();
        _feed = feed;
        _provider = provider;
        _connectionString = connectionString;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The server process of the listening connection, while it is up (to tell it apart in <c>pg_stat_activity</c>).</summary>
    public int? ListenerProcessId { get; private set; }

    /// <summary>How many times the listening connection was established (1 once it listens; more after reconnections), counted before the resync of a reconnection is added.</summary>
    public int Listens => Volatile.Read(ref _listens);

    /// <summary>Raised each time the listening connection is established and LISTENs (after the resync batch of a reconnection is added).</summary>
    public event Action? Listening;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_provider == StoreProvider.Postgres)
        {
            _publisher = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "luigi-live-notify" });
            _subscription = _feed.SubscribeLocal(PublishAsync);
        }
        else
        {
            _logger.LogInformation("The {Provider} store has one host: live changes are not relayed", _provider);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>May be called more than once, and after <see cref="Dispose"/> (a web host that is stopped both by its owner and by its own shutdown).</remarks>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _subscription?.Dispose();
        _stopping.Cancel(); // not disposed: the host may call StopAsync again after disposing its services
        _publisher?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_provider != StoreProvider.Postgres)
        {
            return;
        }

        var listen = new NpgsqlConnectionStringBuilder(_connectionString)
        {
            Pooling = false,
            ApplicationName = "luigi-live-listen",
            KeepAlive = 15, // a silent connection is probed, so that one dropped by the network is noticed
        }.ConnectionString;
        var hostId = _feed.HostId;
        var missed = false;
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listen);
                connection.Notification += (_, e) => OnNotification(hostId, e.Payload);
                await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                await using (var command = new NpgsqlCommand($"LISTEN {LiveWire.Channel}", connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                ListenerProcessId = connection.ProcessID;
                Interlocked.Increment(ref _listens);
                if (missed)
                {
                    _logger.LogInformation("Listening to the other hosts' changes again; dashboards re-read the store");
                    _feed.AddRemote(new LiveBatch([], [], true));
                }

                missed = false;
                delay = FirstRetryDelay;
                Listening?.Invoke();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                ListenerProcessId = null;
                missed = true;
                _logger.LogWarning(exception, "Lost the connection listening to the other hosts' changes; reconnecting in {Delay}", delay);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
            }
        }
    }

    private void OnNotification(string hostId, string payload)
    {
        try
        {
            var (sender, batch) = LiveWire.Decode(payload);
            if (sender != hostId)
            {
                _feed.AddRemote(batch);
            }
        }
        catch (Exception exception) when (exception is JsonException or FormatException or ArgumentException or InvalidOperationException
                                              or KeyNotFoundException or IndexOutOfRangeException)
        {
            _logger.LogWarning(exception, "Unreadable live message on {Channel}; dashboards re-read the store", LiveWire.Channel);
            _feed.AddRemote(new LiveBatch([], [], true));
        }
    }

    /// <summary>Publishes one local batch, in one transaction so its payloads arrive in order; retried with backoff until it is sent or the host stops.</summary>
    private async Task PublishAsync(LiveBatch batch)
    {
        var payloads = LiveWire.Encode(_feed.HostId, batch, ref _sequence);
        var delay = FirstRetryDelay;
        var stopping = _stopping.Token;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _publisher!.OpenConnectionAsync(stopping).ConfigureAwait(false);
                await using var notify = new NpgsqlBatch(connection);
                foreach (var payload in payloads)
                {
                    notify.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload)")
                    {
                        Parameters = { new NpgsqlParameter("channel", LiveWire.Channel), new NpgsqlParameter("payload", payload) },
                    });
                }

                await notify.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
            {
                // Batches wait meanwhile in this subscription's queue; past the backlog they turn into one resync, published when this succeeds.
                _logger.LogWarning(exception, "Could not publish {Count} live messages (try {Attempt}); retrying in {Delay}", payloads.Count, attempt, delay);
                try
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
            }
        }
    }
}
