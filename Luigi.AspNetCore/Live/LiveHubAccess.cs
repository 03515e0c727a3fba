using System.Collections.Concurrent;
using System.Security.Claims;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Luigi.Web.Live;

/// <summary>
/// Keeps the live hub's open connections in step with the credentials they were opened with, as the rest of the host
/// is: a connection made with an API token is closed at once when the token is revoked on this host; each call is
/// refused, with the reason, when the connection's credentials no longer hold; and every
/// <see cref="AuthOptions.RevalidationInterval"/> the credentials of all open connections are checked, so that a
/// connection that only listens is closed too. Credentials no longer hold when an API token is revoked or expired, a
/// session's user is deleted or locked or has a new security stamp (new role, new password), or a provider's bearer
/// token has expired.
/// </summary>
public sealed class LiveHubAccess : BackgroundService, IHubFilter
{
    private readonly ConcurrentDictionary<string, (Credentials Credentials, HubCallerContext Context)> _connections = new();
    private readonly IServiceScopeFactory _scopes;
    private readonly AuthOptions _options;
    private readonly string _stampClaim;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveHubAccess> _logger;

    public LiveHubAccess(
        ApiTokenRevocations revocations, IServiceScopeFactory scopes, AuthOptions options, IOptions<IdentityOptions> identity, TimeProvider time,
        ILogger<LiveHubAccess> logger)
    {
        (_scopes, _options, _time, _logger) = (scopes, options, time, logger);
        _stampClaim = identity.Value.ClaimsIdentity.SecurityStampClaimType;
        revocations.TokenRevoked += token => Close(c => c is Credentials.Token t && t.Id == token);
    }

    /// <summary>The number of open connections of signed-in users and programs.</summary>
    public int Connections => _connections.Count;

    internal void Connected(HubCallerContext context)
    {
        if (CredentialsOf(context.User) is { } credentials)
        {
            _connections[context.ConnectionId] = (credentials, context);
        }
    }

    internal void Disconnected(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    /// <inheritdoc />
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (CredentialsOf(invocation.Context.User) is { } credentials && (await StaleAsync([credentials], invocation.Context.ConnectionAborted)).Count > 0)
        {
            // Refused with a reason the client can show; the next sweep closes the connection (closing it now would
            // cancel this call on the client before the reason arrives).
            throw new HubException("The credentials of this connection no longer hold (revoked or expired token, or the account changed); connect again.");
        }

        return await next(invocation);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.RevalidationInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var open = _connections.Values.Select(c => c.Credentials).Distinct().ToList();
            if (open.Count == 0)
            {
                continue;
            }

            try
            {
                var stale = await StaleAsync(open, stoppingToken);
                Close(stale.Contains);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogWarning(exception, "Could not check the credentials of the live hub's connections; trying again in {Interval}", _options.RevalidationInterval);
            }
        }
    }

    /// <summary>Which of <paramref name="credentials"/> no longer hold.</summary>
    private async Task<HashSet<Credentials>> StaleAsync(IReadOnlyCollection<Credentials> credentials, CancellationToken cancellationToken)
    {
        var stale = new HashSet<Credentials>(credentials.OfType<Credentials.Bearer>().Where(b => b.Expires <= _time.GetUtcNow()));
        await using var scope = _scopes.CreateAsyncScope();
        var tokens = credentials.OfType<Credentials.Token>().ToList();
        if (tokens.Count > 0)
        {
            var inactive = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().InactiveAsync([.. tokens.Select(t => t.Id)], cancellationToken);
            stale.UnionWith(tokens.Where(t => inactive.Contains(t.Id)));
        }

        var sessions = credentials.OfType<Credentials.Session>().ToList();
        if (sessions.Count > 0)
        {
            var gone = await Sessions.StaleAsync(
                scope.ServiceProvider.GetRequiredService<AuthDbContext>(), [.. sessions.Select(s => (s.UserId, s.Stamp))], _time.GetUtcNow(), cancellationToken);
            stale.UnionWith(sessions.Where(s => gone.Contains((s.UserId, s.Stamp))));
        }

        return stale;
    }

    private void Close(Func<Credentials, bool> stale)
    {
        foreach (var (id, connection) in _connections.Where(c => stale(c.Value.Credentials)).ToList())
        {
            _connections.TryRemove(id, out _);
            connection.Context.Abort();
        }
    }

    /// <summary>What a connection was opened with; null for nobody (anonymous viewers), which nothing can revoke.</summary>
    private Credentials? CredentialsOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (Guid.TryParse(user.FindFirstValue(ApiTokenAuthenticationHandler.TokenIdClaim), out var token))
        {
            return new Credentials.Token(token);
        }

        if (Sessions.Of(user, _stampClaim) is var (userId, stamp))
        {
            return new Credentials.Session(userId, stamp);
        }

        return long.TryParse(user.FindFirstValue("exp"), out var expires) ? new Credentials.Bearer(DateTimeOffset.FromUnixTimeSeconds(expires)) : null;
    }

    /// <summary>The credentials of a connection.</summary>
    private abstract record Credentials
    {
        /// <summary>A personal API token.</summary>
        public sealed record Token(Guid Id) : Credentials;

        /// <summary>A dashboard session (cookie) of a user, with the user's security stamp when it was issued.</summary>
        public sealed record Session(string UserId, string Stamp) : Credentials;

        /// <summary>An OpenID Connect provider's access token, good until it expires.</summary>
        public sealed record Bearer(DateTimeOffset Expires) : Credentials;
    }
}
