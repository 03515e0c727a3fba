using System.Net.Http.Json;
using System.Text.Json;
using Luigi.Web.Api;

namespace Luigi.Web.Tests.Api;

/// <summary>The declared limits of parameters, as the API and its OpenAPI document show them.</summary>
public sealed class ParameterSchemaApiTests(BadInputApiTests.Host host) : IClassFixture<BadInputApiTests.Host>
{
    [Fact]
    public async Task Pipelines_ShowEachParametersLimits()
    {
        var pipelines = (await host.Factory.CreateClient().GetFromJsonAsync<List<PipelineDto>>("/api/pipelines", ApiJson.Options))!;

        var sequence = Assert.Single(pipelines, p => p.Name == "Sequence").Parameters.ToDictionary(p => p.Name);
        Assert.Equal(("0", "600000", "from 0 to 600000"), (sequence["delayMs"].Minimum, sequence["delayMs"].Maximum, sequence["delayMs"].Limits));
        Assert.Equal(("(Task[A-Z])?", 5), (sequence["failTask"].Pattern, sequence["failTask"].MaxLength));
        var sales = Assert.Single(pipelines, p => p.Name == "DailySales").Parameters.ToDictionary(p => p.Name);
        Assert.Equal((Engine.Parameters.ParameterKind.Path, 200, "sales"), (sales["dataDir"].Kind, sales["dataDir"].MaxLength, sales["dataDir"].Default));
        Assert.Equal(("2000-01-01", "2099-12-31"), (sales["end"].Minimum, sales["end"].Maximum));
    }

    [Fact]
    public async Task OpenApiDocument_HasASchemaOfEachPipelinesParameters_WithTheirLimits_AndATriggerUsingIt()
    {
        using var document = JsonDocument.Parse(await host.Factory.CreateClient().GetStringAsync("/openapi/v1.json"));

        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var sequence = schemas.GetProperty("SequenceParameters").GetProperty("properties");
        Assert.Equal(0, sequence.GetProperty("delayMs").GetProperty("minimum").GetInt32());
        Assert.Equal(600_000, sequence.GetProperty("delayMs").GetProperty("maximum").GetInt32());
        Assert.Equal(20, sequence.GetProperty("retries").GetProperty("maximum").GetInt32());
        Assert.Equal("^(?:(Task[A-Z])?)$", sequence.GetProperty("failTask").GetProperty("pattern").GetString());
        Assert.Equal(5, sequence.GetProperty("failTask").GetProperty("maxLength").GetInt32());
        var sales = schemas.GetProperty("DailySalesParameters").GetProperty("properties");
        Assert.Equal(200, sales.GetProperty("dataDir").GetProperty("maxLength").GetInt32());
        Assert.Equal("date", sales.GetProperty("end").GetProperty("format").GetString());
        Assert.Contains("from 1 to 366", sales.GetProperty("days").GetProperty("description").GetString());
        var trigger = document.RootElement.GetProperty("paths").GetProperty("/api/pipelines/DailySales/runs").GetProperty("post");
        Assert.Equal("#/components/schemas/DailySalesParameters", trigger.GetProperty("requestBody").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("properties").GetProperty("parameters").GetProperty("$ref").GetString());
    }
}
