using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Engine;

/// <summary>
/// Registers the services that the pipelines and tasks of one assembly need, when a host loads that assembly from
/// <c>Luigi:Pipelines:Assemblies</c> (a plugin, whose code the host's own startup cannot call). Every public class of the
/// assembly that implements it is created with its parameterless constructor and called once, before the host's
/// container is built, in the web host and in the command line alike. A host of the team's own registers its services
/// directly and needs none.
/// </summary>
public interface IPipelineServices
{
    /// <summary>Adds services to the host's <paramref name="services"/>; <paramref name="configuration"/> is the host's.</summary>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}
