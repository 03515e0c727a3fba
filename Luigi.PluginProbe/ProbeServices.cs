using Luigi.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.PluginProbe;

/// <summary>The plugin's service registration, which fails when <c>PluginProbe:FailServices</c> is true: a plugin whose
/// registration throws must stop the host, naming it.</summary>
public sealed class ProbeServices : IPipelineServices
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        if (string.Equals(configuration["PluginProbe:FailServices"], "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("the probe was told to fail (PluginProbe:FailServices).");
        }
    }
}
