using System.Reflection;
using Luigi.Engine.Pipelines;
using Luigi.Web.Pipelines;

// In the namespace of IServiceCollection, beside AddLuigi, so that a team's Program needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a team's pipelines in code, for a host of its own that calls <c>AddLuigi</c>.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Offers every public, non-abstract <c>Pipeline</c> subclass with a public constructor (which may take services) of
    /// <paramref name="assemblies"/> next to the examples and the assemblies listed in
    /// <c>Luigi:Pipelines:Assemblies</c>. Call it before or after <c>AddLuigi</c>, as often as needed.
    /// </summary>
    /// <example><c>builder.Services.AddLuigi(builder.Configuration).AddLuigiPipelines(typeof(InventorySnapshot).Assembly);</c></example>
    public static IServiceCollection AddLuigiPipelines(this IServiceCollection services, params Assembly[] assemblies)
    {
        foreach (var assembly in assemblies)
        {
            services.AddSingleton(new PipelineAssembly(assembly));
        }

        return services;
    }

    /// <summary>Offers one pipeline class, public or not; its constructor may take services.</summary>
    /// <example><c>builder.Services.AddLuigiPipeline&lt;InventorySnapshot&gt;();</c></example>
    public static IServiceCollection AddLuigiPipeline<TPipeline>(this IServiceCollection services) where TPipeline : Luigi.Engine.Pipeline =>
        services.AddSingleton(new PipelineAssembly(null, typeof(TPipeline)));

    /// <summary>Adds the assemblies and classes registered with <see cref="AddLuigiPipelines"/> and <see cref="AddLuigiPipeline{TPipeline}"/>.</summary>
    internal static PipelineRegistry AddRegisteredAssemblies(this PipelineRegistry registry, IServiceProvider services)
    {
        foreach (var registration in services.GetServices<PipelineAssembly>())
        {
            if (registration.Assembly is not null)
            {
                registry.AddAssembly(registration.Assembly);
            }
            else
            {
                registry.Add(registration.Type!);
            }
        }

        return registry;
    }

    private sealed record PipelineAssembly(Assembly? Assembly, Type? Type = null);
}
