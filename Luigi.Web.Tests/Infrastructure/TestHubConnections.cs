using System.Text.Json.Serialization;
using Luigi.Web.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.TestHost;

namespace Luigi.Web.Tests.Infrastructure;

/// <summary>SignalR clients of an in-memory host's live hub, as a program or a browser connects to it.</summary>
public static class TestHubConnections
{
    /// <summary>
    /// A connection (not started) to the live hub of <paramref name="server"/>, long polling through the test server,
    /// speaking the hub's JSON (enums by name), sending <paramref name="token"/> as a bearer token and/or
    /// <paramref name="sessionCookie"/> as the dashboard's session cookie.
    /// </summary>
    public static HubConnection Build(TestServer server, string? token = null, string? sessionCookie = null) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, LiveHub.Path), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }

                if (sessionCookie is not null)
                {
                    options.Headers["Cookie"] = $"{TestUsers.SessionCookieName}={sessionCookie}";
                }
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
}
