using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luigi.Web.Tests.Auth;

/// <summary>
/// Small ASP.NET Core apps for the sign-in tests, each on real Kestrel on a free loopback port: the test identity
/// provider, and the relying parties that use the stock authentication handlers against it. Real HTTP matters
/// here: the handlers fetch the provider's metadata and keys, redeem codes over their own back channel and set
/// correlation cookies that must make a real round trip.
/// </summary>
internal static class LoopbackApp
{
    /// <summary>A slim builder listening on <c>http://127.0.0.1:0</c>, without log output.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> and returns the address it is bound to, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public static async Task<string> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return addresses.Addresses.Single().TrimEnd('/');
    }
}
