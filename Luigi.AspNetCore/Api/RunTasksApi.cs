using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Luigi.Engine;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Api;

/// <summary>
/// A run's tasks a page at a time (<c>GET /api/runs/{id}</c> and <c>/api/runs/{id}/tasks</c>): the page size is bounded, so
/// neither the host nor the client ever holds a million-task run at once.
/// </summary>
internal static class RunTasksApi
{
    private const int MaxFilterLength = 200;

    /// <summary>
    /// The most tasks of one page of <c>GET /api/runs/{id}</c>, and its default: a run of up to this many comes whole, as it always
    /// did (the timeline draws such a run's attempts from it); a bigger one a page at a time, never the million at once.
    /// </summary>
    public const int MaxRunPageSize = 50_000;

    public static async Task<IResult> GetRunAsync(Guid id, int? page, int? pageSize, RunReader reader, HttpContext http, CancellationToken ct)
    {
        if (Invalid(page, pageSize, MaxRunPageSize) is { } problem)
        {
            return problem;
        }

        var size = pageSize ?? MaxRunPageSize;
        if (await reader.GetAsync(id, page ?? 1, size, cancellationToken: ct) is not { } run)
        {
            return RunsApi.RunNotFound(id);
        }

        if ((long)run.Page * size < run.TaskTotal)
        {
            http.Response.Headers.Link = $"<{http.Request.PathBase}/api/runs/{id}?page={run.Page + 1}&pageSize={size}>; rel=\"next\""; // under MapLuigi's prefix
        }

        return Results.Ok(run);
    }

    public static async Task<IResult> ListTasksAsync(
        Guid id, TaskState? state, string? family, string? search, TaskOrder? order, bool? descending, int? page, int? pageSize,
        RunReader reader, CancellationToken ct)
    {
        if (Invalid(page, pageSize, TaskQuery.MaxPageSize) is { } problem)
        {
            return problem;
        }

        if (search?.Length > MaxFilterLength || family?.Length > MaxFilterLength)
        {
            var field = search?.Length > MaxFilterLength ? "search" : "family";
            return ApiProblems.InvalidField(field, $"{field} is at most {MaxFilterLength} characters long.");
        }

        if (state is { } given && !Enum.IsDefined(given))
        {
            return ApiProblems.InvalidField("state", $"state is one of {string.Join(", ", Enum.GetNames<TaskState>())}; got {(int)given}.");
        }

        if (order is { } by && !Enum.IsDefined(by))
        {
            return ApiProblems.InvalidField("order", $"order is one of {string.Join(", ", Enum.GetNames<TaskOrder>())}; got {(int)by}.");
        }

        var query = new TaskQuery(state, family, search, order ?? TaskOrder.Index, descending ?? false, page ?? 1, pageSize ?? 100);
        return await reader.GetTasksAsync(id, query, ct) is { } tasks ? Results.Ok(tasks) : RunsApi.RunNotFound(id);
    }

    /// <summary>
    /// The whole graph in columns, for a run of at most <see cref="MaxGraphTasks"/> tasks; a bigger one is refused with a pointer to
    /// its grouped graph, rather than read whole into the host's memory (a million tasks answered 95 MB and held far more).
    /// </summary>
    public static async Task<IResult> GetGraphAsync(Guid id, RunReader reader, CancellationToken ct)
    {
        if (await reader.FindAsync(id, ct) is not { } run)
        {
            return RunsApi.RunNotFound(id);
        }

        if (run.TaskCount > MaxGraphTasks)
        {
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Run too big to draw task by task",
                detail: $"Run {id} has {run.TaskCount:N0} tasks; its graph is given whole up to {MaxGraphTasks:N0}. "
                    + $"Its graph grouped by family: /api/runs/{id}/graph/groups; a family's tasks: /api/runs/{id}/tasks?family=…");
        }

        return await reader.GetGraphColumnsAsync(id, ct) is { } graph ? Results.Ok(graph) : RunsApi.RunNotFound(id);
    }

    /// <summary>
    /// Describes the items of <see cref="RunGraphColumns.Parameters"/> in the OpenAPI document as what they are written as,
    /// objects of strings (<see cref="StoredParameters"/>' converter writes the stored JSON as it is, which the schema
    /// generator cannot see through).
    /// </summary>
    public static Task DescribeStoredParameters(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(StoredParameters[]))
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String } };
        }

        return Task.CompletedTask;
    }

    /// <summary>The most tasks whose graph is given whole (the dashboard's graph groups them by family from 2,000 on).</summary>
    public const int MaxGraphTasks = 200_000;

    private static IResult? Invalid(int? page, int? pageSize, int maxPageSize) =>
        page < 1 ? ApiProblems.InvalidField("page", $"page counts from 1; got {page}.")
        : pageSize < 1 || pageSize > maxPageSize ? ApiProblems.InvalidField("pageSize", $"pageSize is from 1 to {maxPageSize}; got {pageSize}.")
        : null;
}
