using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Microsoft.Extensions.DependencyInjection;

namespace Luigi.Engine.Tests;

/// <summary>Pipelines are created through dependency injection, and configuration can set their parameters' defaults.</summary>
public sealed class PipelineRegistryTests
{
    [Fact]
    public void Create_PassesRegisteredServicesToThePipelineConstructor()
    {
        var forecast = new Forecast("rain");
        var registry = new PipelineRegistry(new ServiceCollection().AddSingleton(forecast).BuildServiceProvider()).Add(typeof(WeatherReport));

        var pipeline = (WeatherReport)registry.Create("WeatherReport", [new("city", "Oslo")]);

        Assert.Same(forecast, pipeline.Forecast);
        Assert.Equal("Oslo", pipeline.City);
    }

    [Fact]
    public void Add_FailsNamingThePipelineItsAssemblyAndTheService_WhenTheServiceIsNotRegistered()
    {
        var registry = new PipelineRegistry(new ServiceCollection().BuildServiceProvider());

        var exception = Assert.Throws<PipelineActivationException>(() => registry.Add(typeof(WeatherReport)));

        Assert.Equal(
            $"Pipeline {typeof(WeatherReport).FullName} (assembly Luigi.Engine.Tests) cannot be created: its constructor needs " +
            $"{typeof(Forecast).FullName}, which is not registered as a service.", exception.Message);
        Assert.Empty(registry.All);
    }

    [Fact]
    public void Parameters_ShowTheClassDefaults_OfAPipelineThatNeedsServices()
    {
        var registry = new PipelineRegistry(new ServiceCollection().AddSingleton(new Forecast("sun")).BuildServiceProvider()).Add(typeof(WeatherReport));

        var days = registry.Find("WeatherReport")!.Parameters.Single(p => p.Name == "days");

        Assert.Equal("3", days.DefaultText);
    }

    [Fact]
    public void SetDefaults_FillsParametersLeftOut_AndMakesARequiredOneOptional()
    {
        var registry = new PipelineRegistry(new ServiceCollection().AddSingleton(new Forecast("sun")).BuildServiceProvider()).Add(typeof(WeatherReport));

        registry.SetDefaults("weatherreport", new Dictionary<string, string> { ["City"] = "Bergen", ["days"] = "5" });

        var city = registry.Find("WeatherReport")!.Parameters.Single(p => p.Name == "city");
        Assert.False(city.Required);
        Assert.Equal("Bergen", city.DefaultText);
        var configured = (WeatherReport)registry.Create("WeatherReport", []);
        Assert.Equal(("Bergen", 5), (configured.City, configured.Days));
        var given = (WeatherReport)registry.Create("WeatherReport", [new("city", "Oslo"), new("DAYS", "1")]);
        Assert.Equal(("Oslo", 1), (given.City, given.Days));
    }

    [Fact]
    public void SetDefaults_RefusesAMalformedValueOrAnUnknownName_NamingThem_AndKeepsTheClassDefaults()
    {
        var registry = new PipelineRegistry(new ServiceCollection().AddSingleton(new Forecast("sun")).BuildServiceProvider()).Add(typeof(WeatherReport));

        var exception = Assert.Throws<ParameterException>(() =>
            registry.SetDefaults("WeatherReport", new Dictionary<string, string> { ["days"] = "many", ["town"] = "Oslo" }));

        Assert.Contains("Parameter 'days' expects a whole number (int); got 'many'", exception.Message);
        Assert.Contains("Unknown parameter 'town' for WeatherReport; valid parameters: city, days.", exception.Message);
        Assert.Equal(3, ((WeatherReport)registry.Create("WeatherReport", [new("city", "Oslo")])).Days);
    }

    public sealed record Forecast(string Sky);

    public sealed class WeatherReport(Forecast forecast) : Pipeline
    {
        public Forecast Forecast { get; } = forecast;

        [Parameter]
        public required string City { get; init; }

        [Parameter]
        public int Days { get; init; } = 3;

        public override IEnumerable<LuigiTask> Roots() => [];
    }
}
