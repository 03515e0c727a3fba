using System.Globalization;
using System.Text.Json.Nodes;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Luigi.Web.Api;

/// <summary>
/// Puts each pipeline's parameters in the OpenAPI document, limits included: a schema <c>{Pipeline}Parameters</c> per
/// pipeline (types, formats, <c>minimum</c>/<c>maximum</c>, <c>maxLength</c>, <c>pattern</c>, <c>enum</c>, items) and a
/// trigger operation per pipeline (<c>POST /api/pipelines/DailySales/runs</c>) whose body refers to it, so a generated
/// client checks what the host will check.
/// </summary>
internal sealed class PipelineSchemas(PipelineRegistry registry) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var generic = document.Paths.TryGetValue("/api/pipelines/{name}/runs", out var path) && path.Operations is { } operations
            && operations.TryGetValue(HttpMethod.Post, out var post) ? post : null;
        foreach (var pipeline in registry.All)
        {
            var name = $"{pipeline.Name}Parameters";
            document.Components.Schemas[name] = Of(pipeline, registry.BindingOptions.MaxTextLength);
            if (generic is null)
            {
                continue;
            }

            var body = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema> { ["parameters"] = new OpenApiSchemaReference(name, document) },
            };
            document.Paths[$"/api/pipelines/{pipeline.Name}/runs"] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Post] = new()
                    {
                        OperationId = $"Trigger{pipeline.Name}",
                        Summary = $"Queues a run of {pipeline.Name}. {pipeline.Description}".TrimEnd(),
                        Tags = generic.Tags,
                        Responses = generic.Responses,
                        RequestBody = new OpenApiRequestBody
                        {
                            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
                        },
                    },
                },
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>The schema of a pipeline's <c>parameters</c> object.</summary>
    internal static OpenApiSchema Of(PipelineInfo pipeline, int maxTextLength)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = pipeline.Description,
            Properties = new Dictionary<string, IOpenApiSchema>(),
            Required = new HashSet<string>(),
            AdditionalPropertiesAllowed = false,
        };
        foreach (var parameter in pipeline.Parameters)
        {
            schema.Properties[parameter.Name] = Of(parameter, maxTextLength);
            if (parameter.Required)
            {
                schema.Required.Add(parameter.Name);
            }
        }

        return schema;
    }

    private static OpenApiSchema Of(ParameterDescriptor parameter, int maxTextLength)
    {
        var limits = parameter.Limits;
        var element = ParameterValues.ElementType(parameter.Type);
        var value = Scalar(element ?? parameter.Type, limits, element is null ? limits.MaxLength ?? maxTextLength : null);
        var schema = element is null
            ? value
            : new OpenApiSchema
            {
                Type = JsonSchemaType.Array | JsonSchemaType.String,
                Items = value,
                MaxItems = limits.MaxItems,
                MinItems = limits.MinItems > 0 ? limits.MinItems : null,
                MaxLength = limits.MaxLength ?? maxTextLength,
            };
        schema.Description = string.Join(" ", new[] { parameter.Description, $"{parameter.ExpectedForm}; {limits.Describe(maxTextLength)}." }
            .Where(t => !string.IsNullOrEmpty(t))).Replace("; .", ".", StringComparison.Ordinal);
        schema.Default = parameter.DefaultText is { } text ? JsonValue.Create(text) : null;
        return schema;
    }

    private static OpenApiSchema Scalar(Type type, ParameterLimits limits, int? maxLength)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var kind = ParameterValues.KindOf(type);
        var schema = new OpenApiSchema
        {
            Type = kind switch
            {
                ParameterKind.Integer => JsonSchemaType.Integer | JsonSchemaType.String,
                ParameterKind.Number => JsonSchemaType.Number | JsonSchemaType.String,
                ParameterKind.Boolean => JsonSchemaType.Boolean | JsonSchemaType.String,
                _ => JsonSchemaType.String,
            },
            Format = kind switch
            {
                ParameterKind.Date => "date",
                ParameterKind.DateTime => "date-time",
                ParameterKind.Duration => "duration",
                ParameterKind.Path => "path",
                _ => null,
            },
            Pattern = limits.Pattern is { } pattern ? $"^(?:{pattern})$" : null,
            MaxLength = maxLength,
            MinLength = limits.MinLength > 0 ? limits.MinLength : null,
        };
        if (kind is ParameterKind.Integer or ParameterKind.Number)
        {
            var minimum = limits.Minimum is IFormattable low ? low.ToString(null, CultureInfo.InvariantCulture) : null;
            var maximum = limits.Maximum is IFormattable high ? high.ToString(null, CultureInfo.InvariantCulture) : null;
            schema.Minimum = limits.MinimumIsExclusive ? null : minimum;
            schema.ExclusiveMinimum = limits.MinimumIsExclusive ? minimum : null;
            schema.Maximum = limits.MaximumIsExclusive ? null : maximum;
            schema.ExclusiveMaximum = limits.MaximumIsExclusive ? maximum : null;
        }

        var choices = limits.AllowedValues.Count > 0 ? limits.AllowedValues : ParameterValues.ChoicesOf(type);
        if (choices.Count > 0)
        {
            schema.Enum = choices.Select(c => (JsonNode)JsonValue.Create(c)!).ToList();
        }

        return schema;
    }
}
