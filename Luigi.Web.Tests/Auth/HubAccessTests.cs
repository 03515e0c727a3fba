using System.Net;
using Luigi.Engine;
using Luigi.Engine.Storage.Entities;
using Luigi.Web.Auth;
using Luigi.Web.Live;
using Luigi.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Luigi.Engine.Execution;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// The live hub's doors: connecting needs a role, cancelling through it needs an Operator, and a connection whose
/// credentials stop holding (revoked token, locked user, changed role) is closed or refused.
/// </summary>
public sealed class HubAccessTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AViewersCancel_IsRefused_AndTheRunGoesOn_AnOperatorsIsServed()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var run = await StartLongRunAsync(host);
        await using var viewer = await ConnectAsync(host, (await TestUsers.TokenAsync(host.Services, "vera", LuigiRoles.Viewer)).Text);
        await using var operatorConnection = await ConnectAsync(host, (await TestUsers.TokenAsync(host.Services, "otto", LuigiRoles.Operator)).Text);

        await viewer.InvokeAsync(nameof(LiveHub.WatchRun), run); // watching is a Viewer's right
        var refused = await Assert.ThrowsAsync<HubException>(() => viewer.InvokeAsync<CancelResult>(nameof(LiveHub.CancelRun), run));
        Assert.Contains("unauthorized", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RunState.Running, await StateAsync(host, run));

        Assert.Equal(CancelResult.Cancelled, await operatorConnection.InvokeAsync<CancelResult>(nameof(LiveHub.CancelRun), run));
        Assert.Equal(RunState.Cancelled, await host.Services.GetRequiredService<StoreExecutor>().WaitForRunAsync(run).WaitAsync(Guard));
        var audit = await host.Services.GetRequiredService<RunReader>().GetAuditAsync(run);
        Assert.Contains(audit, a => a.Action == AuditAction.Cancelled && a.Actor == "otto");
    }

    [Fact]
    public async Task Connecting_WithoutARole_IsRefused()
    {
        await using var host = await AccessHost.StartAsync(postgres);

        var anonymous = await Assert.ThrowsAsync<HttpRequestException>(() => ConnectAsync(host, token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var roleless = await Assert.ThrowsAsync<HttpRequestException>(async () => await ConnectAsync(host, (await TestUsers.TokenAsync(host.Services, "nora", null)).Text));
        Assert.Equal(HttpStatusCode.Forbidden, roleless.StatusCode);
    }

    [Fact]
    public async Task RevokingAToken_ClosesItsConnection_AndItCannotConnectAgain()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var token = await TestUsers.TokenAsync(host.Services, "vera", LuigiRoles.Viewer);
        await using var connection = await ConnectAsync(host, token.Text);
        var closed = new TaskCompletionSource();
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await connection.InvokeAsync(nameof(LiveHub.WatchRuns));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiTokenService>().RevokeAsync(token.Token.Id, "admin");
        }

        await closed.Task.WaitAsync(Guard);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
        var again = await Assert.ThrowsAsync<HttpRequestException>(() => ConnectAsync(host, token.Text));
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task ASessionsConnection_IsClosed_WhenItsUserIsLocked_WithoutAnyCall()
    {
        await using var host = await AccessHost.StartAsync(postgres, new Dictionary<string, string> { ["Luigi:Auth:RevalidationInterval"] = "00:00:00.300" });
        var cookie = await TestUsers.SessionCookieAsync(host.Services, "vera", LuigiRoles.Viewer);
        await using var connection = await ConnectAsync(host, token: null, cookie);
        var closed = new TaskCompletionSource();
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await connection.InvokeAsync(nameof(LiveHub.WatchRuns));
        await using var witness = await ConnectAsync(host, token: null, await TestUsers.SessionCookieAsync(host.Services, "otto", LuigiRoles.Operator));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<LuigiUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByNameAsync("vera"))!, DateTimeOffset.MaxValue);
        }

        await closed.Task.WaitAsync(Guard);
        await witness.InvokeAsync(nameof(LiveHub.WatchRuns)); // another user's connection is untouched
        Assert.Equal(HubConnectionState.Connected, witness.State);
    }

    [Fact]
    public async Task ACall_OnASessionWhoseRoleChanged_IsRefused()
    {
        await using var host = await AccessHost.StartAsync(postgres);
        var cookie = await TestUsers.SessionCookieAsync(host.Services, "otto", LuigiRoles.Operator);
        await using var connection = await ConnectAsync(host, token: null, cookie);
        var run = await StartLongRunAsync(host);

        await TestUsers.EnsureAsync(host.Services, "otto", LuigiRoles.Viewer); // a new role: a new security stamp

        await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<CancelResult>(nameof(LiveHub.CancelRun), run));
        Assert.Equal(RunState.Running, await StateAsync(host, run));
    }

    private static async Task<Guid> StartLongRunAsync(AccessHost host)
    {
        var executor = host.Services.GetRequiredService<StoreExecutor>();
        var run = await executor.EnqueueAsync(new RunRequest("Sequence", new Dictionary<string, string> { ["delayMs"] = "600000" }, RunTrigger.Api));
        await host.Services.GetRequiredService<TaskChangeWaiter>().WaitAsync(c => c.RunId == run && c.State == TaskState.Running).WaitAsync(Guard);
        return run;
    }

    private static async Task<RunState?> StateAsync(AccessHost host, Guid run) =>
        (await host.Services.GetRequiredService<RunReader>().GetAsync(run))?.Run.State;

    /// <summary>A SignalR client of the in-memory host (long polling through the test server) sending <paramref name="token"/> or a session cookie.</summary>
    private static async Task<HubConnection> ConnectAsync(AccessHost host, string? token, string? sessionCookie = null)
    {
        var connection = TestHubConnections.Build(host.Host.Server, token, sessionCookie);
        try
        {
            await connection.StartAsync().WaitAsync(Guard);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
