using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Luigi.Web.Tests.Email;

/// <summary>
/// A real SMTP server (the SmtpServer package) listening on a loopback port inside the test process, keeping
/// every message it accepts. With credentials it advertises AUTH and refuses mail from unauthenticated clients.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly ConcurrentQueue<string> _users = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _running;

    private SmtpTestServer(int port, (string User, string Password)? credentials)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint
                .Endpoint(new IPEndPoint(IPAddress.Loopback, port))
                .AllowUnsecureAuthentication(credentials is not null)
                .AuthenticationRequired(credentials is not null))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        if (credentials is { } c)
        {
            services.Add(new Authenticator(this, c.User, c.Password));
        }

        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Messages accepted so far, in order.</summary>
    public IReadOnlyList<MimeMessage> Messages => [.. _messages];

    /// <summary>Users that authenticated successfully.</summary>
    public IReadOnlyList<string> AuthenticatedUsers => [.. _users];

    /// <summary>Starts a server on <paramref name="port"/> (a free one when null).</summary>
    public static SmtpTestServer Start(int? port = null, (string User, string Password)? credentials = null) =>
        new(port ?? FreePort(), credentials);

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort() => Luigi.Web.Tests.Infrastructure.LoopbackPort.Free();

    /// <summary>Waits, within <paramref name="timeout"/>, until at least <paramref name="count"/> messages have arrived.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan timeout)
    {
        using var guard = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_messages.Count >= count)
                {
                    return Messages;
                }

                next = _arrived.Task;
            }

            try
            {
                await next.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} message(s) within {timeout}, got {_messages.Count}: " +
                    string.Join(" | ", _messages.Select(m => m.Subject)));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private void Accept(MimeMessage message)
    {
        lock (_lock)
        {
            _messages.Enqueue(message);
            var arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.SetResult();
        }
    }

    private sealed class Store(SmtpTestServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            server.Accept(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }

    private sealed class Authenticator(SmtpTestServer server, string user, string password) : IUserAuthenticator
    {
        public Task<bool> AuthenticateAsync(ISessionContext context, string givenUser, string givenPassword, CancellationToken cancellationToken)
        {
            var ok = givenUser == user && givenPassword == password;
            if (ok)
            {
                server._users.Enqueue(givenUser);
            }

            return Task.FromResult(ok);
        }
    }
}
