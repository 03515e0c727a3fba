using Luigi.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Pipelines;

/// <summary>
/// The services of this assembly, registered by the host that loads it from <c>Luigi:Pipelines:Assemblies</c>: the HTTP
/// client <see cref="FetchPrices"/> uses, which tells suppliers who is calling.
/// </summary>
public sealed class AcmeServices : IPipelineServices
{
    /// <summary>The User-Agent of every request to a supplier.</summary>
    public const string UserAgent = "Acme.Pipelines/1.0";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddHttpClient(nameof(FetchPrices), client => client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent));
}
