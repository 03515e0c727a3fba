using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Engine.Pipelines;

/// <summary>
/// Creates pipelines through dependency injection (<see cref="ActivatorUtilities"/>): a constructor may take any
/// registered service, as a Hangfire job or a Quartz job does. Checked when the pipeline is registered, so that a missing
/// service stops the host when it starts instead of failing the first run.
/// </summary>
internal static class PipelineActivation
{
    /// <summary>The services of a registry given none: only the container's own.</summary>
    public static IServiceProvider NoServices { get; } = new ServiceCollection().BuildServiceProvider();

    /// <summary>A new instance of <paramref name="type"/>, its constructor's services taken from <paramref name="services"/>.</summary>
    public static object Create(Type type, IServiceProvider services) => ActivatorUtilities.CreateInstance(services, type);

    /// <exception cref="PipelineActivationException">No public constructor of <paramref name="type"/> can be served.</exception>
    public static void EnsureActivatable(Type type, IServiceProvider services)
    {
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length == 0)
        {
            throw new PipelineActivationException(type, null, $"Pipeline {Describe(type)} has no public constructor.");
        }

        var known = services.GetService<IServiceProviderIsService>();
        Type? missing = null;
        foreach (var constructor in constructors.OrderByDescending(c => c.GetParameters().Length))
        {
            var unserved = constructor.GetParameters()
                .FirstOrDefault(p => !p.HasDefaultValue && p.ParameterType != typeof(IServiceProvider) && known?.IsService(p.ParameterType) != true);
            if (unserved is null)
            {
                return;
            }

            missing ??= unserved.ParameterType;
        }

        throw new PipelineActivationException(type, missing,
            $"Pipeline {Describe(type)} cannot be created: its constructor needs {missing!.FullName}, which is not registered as a service.");
    }

    private static string Describe(Type type) => $"{type.FullName} (assembly {type.Assembly.GetName().Name})";
}

/// <summary>A pipeline cannot be created: its constructor needs a service that is not registered, or it has no public constructor.</summary>
public sealed class PipelineActivationException(Type pipelineType, Type? missingService, string message) : Exception(message)
{
    /// <summary>The pipeline class.</summary>
    public Type PipelineType { get; } = pipelineType;

    /// <summary>The service its constructor needs, when that is the problem.</summary>
    public Type? MissingService { get; } = missingService;
}
