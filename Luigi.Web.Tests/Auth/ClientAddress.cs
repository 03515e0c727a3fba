using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// Clients at different addresses of one in-memory host: the host takes the connection's remote address from the
/// <c>X-Test-Client-Address</c> header, set by <see cref="Of"/>, before anything else sees the request.
/// </summary>
public static class ClientAddress
{
    private const string Header = "X-Test-Client-Address";

    /// <summary>Makes the host read the client's address from the test header.</summary>
    public static void FromHeader(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, Filter>());

    /// <summary><paramref name="client"/>, sending its requests from <paramref name="address"/>.</summary>
    public static HttpClient Of(HttpClient client, string address)
    {
        client.DefaultRequestHeaders.Add(Header, address);
        return client;
    }

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
