using Luigi.Engine;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;

namespace Luigi.Web.Pipelines;

/// <summary>
/// The settings of each pipeline under <c>Luigi:Pipelines:&lt;Pipeline&gt;</c>: for now the defaults of its parameters,
/// <c>Luigi:Pipelines:&lt;Pipeline&gt;:Parameters:&lt;name&gt;</c> (<c>Luigi__Pipelines__DailySales__Parameters__days=14</c>
/// in the environment), in the form a user types them. They show as the defaults in <c>list</c>, the API and the trigger
/// form, and fill what a trigger, a schedule or a backfill leaves out. (<c>Assemblies</c> under the same section lists
/// the pipeline assemblies, so no pipeline can be configured under that name.)
/// </summary>
public static class PipelineSettings
{
    /// <summary>The section of every pipeline's settings.</summary>
    public const string Section = "Luigi:Pipelines";

    /// <summary>What every host (the web host, the command line) offers to pipelines and tasks from dependency injection
    /// beyond its own services: <see cref="IHttpClientFactory"/>, the configuration, and tasks' own log lines kept with
    /// their attempts (<see cref="TaskLogProvider"/>).</summary>
    public static IServiceCollection AddLuigiTaskServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpClient();
        services.AddLogging(logging => logging.AddLuigiTaskLogs());
        services.AddOptions();
        services.AddSingleton(configuration);
        return services;
    }

    /// <summary>Sets the configured parameter defaults of every pipeline of <paramref name="registry"/>.</summary>
    /// <exception cref="PipelineSettingException">A configured pipeline or parameter does not exist, or a value does not
    /// fit its parameter; the message names the setting.</exception>
    public static PipelineRegistry ApplyConfiguredDefaults(this PipelineRegistry registry, IConfiguration configuration)
    {
        foreach (var pipeline in configuration.GetSection(Section).GetChildren())
        {
            if (pipeline.Key.Equals("Assemblies", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var defaults = pipeline.GetSection("Parameters").GetChildren()
                .ToDictionary(p => p.Key, p => p.Value ?? "", StringComparer.OrdinalIgnoreCase);
            try
            {
                registry.SetDefaults(pipeline.Key, defaults);
            }
            catch (Exception exception) when (exception is UnknownPipelineException or ParameterException)
            {
                throw new PipelineSettingException($"The setting {pipeline.Path}:Parameters is wrong: {exception.Message}", exception);
            }
        }

        return registry;
    }
}

/// <summary>A setting under <c>Luigi:Pipelines:&lt;Pipeline&gt;</c> cannot be applied; the host does not start and the message
/// names the setting.</summary>
public sealed class PipelineSettingException(string message, Exception? innerException = null) : Exception(message, innerException);
