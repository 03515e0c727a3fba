using System.Collections.Concurrent;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Luigi.Web.Live;

/// <summary>
/// Keeps the live hub's connections made with API tokens in step with those tokens: a token revoked on this host closes
/// its connections at once; a call on a connection whose token no longer works (revoked on another host, expired, owner
/// locked out) is refused and the connection closed; and every <see cref="AuthOptions.RevalidationInterval"/> the
/// tokens of open connections are checked, so that a connection that only listens is closed too.
/// </summary>
public sealed class LiveHubAccess : BackgroundService, IHubFilter
{
    private readonly ConcurrentDictionary<string, (Guid Token, HubCallerContext Context)> _connections = new();
    private readonly IServiceScopeFactory _scopes;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveHubAccess> _logger;

    public LiveHubAccess(ApiTokenRevocations revocations, IServiceScopeFactory scopes, AuthOptions options, TimeProvider time, ILogger<LiveHubAccess> logger)
    {
        (_scopes, _options, _time, _logger) = (scopes, options, time, logger);
        revocations.TokenRevoked += Close;
    }

    /// <summary>The number of open connections made with an API token.</summary>
    public int TokenConnections => _connections.Count;

    internal void Connected(HubCallerContext context)
    {
        if (TokenOf(context) is { } token)
        {
            _connections[context.ConnectionId] = (token, context);
        }
    }

    internal void Disconnected(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    /// <inheritdoc />
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (TokenOf(invocation.Context) is { } token)
        {
            await using var scope = _scopes.CreateAsyncScope();
            var inactive = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().InactiveAsync([token], invocation.Context.ConnectionAborted);
            if (inactive.Count > 0)
            {
                invocation.Context.Abort();
                throw new HubException("The API token of this connection is revoked or expired.");
            }
        }

        return await next(invocation);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.RevalidationInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var open = _connections.Values.Select(c => c.Token).Distinct().ToList();
            if (open.Count == 0)
            {
                continue;
            }

            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                foreach (var token in await scope.ServiceProvider.GetRequiredService<ApiTokenService>().InactiveAsync(open, stoppingToken))
                {
                    Close(token);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogWarning(exception, "Could not check the API tokens of the live hub's connections; trying again in {Interval}", _options.RevalidationInterval);
            }
        }
    }

    private void Close(Guid token)
    {
        foreach (var (id, connection) in _connections.Where(c => c.Value.Token == token).ToList())
        {
            _connections.TryRemove(id, out _);
            connection.Context.Abort();
        }
    }

    private static Guid? TokenOf(HubCallerContext context) =>
        Guid.TryParse(context.User?.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim)?.Value, out var token) ? token : null;
}
