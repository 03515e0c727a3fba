using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Graph;
using Luigi.Web.Auth;
using Luigi.Web.Dashboard;
using Microsoft.AspNetCore.Mvc;

namespace Luigi.Web.Api;

/// <summary><c>/api/pipelines</c>: what can be run, and triggering a run.</summary>
internal static class PipelinesApi
{
    public static RouteGroupBuilder MapPipelinesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/pipelines", (PipelineRegistry registry) => registry.All.Select(p => PipelineDto.From(p, registry.BindingOptions.MaxTextLength)).ToList())
            .WithName("ListPipelines").WithSummary("Every pipeline with its parameter schema.");

        api.MapGet("/pipelines/{name}", (string name, PipelineRegistry registry) =>
                registry.Find(name) is { } info ? Results.Ok(PipelineDto.From(info, registry.BindingOptions.MaxTextLength)) : UnknownPipeline(name, registry))
            .WithName("GetPipeline").WithSummary("One pipeline with its parameter schema.")
            .Produces<PipelineDto>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/pipelines/{name}/graph", PreviewAsync)
            .WithName("PreviewPipelineGraph")
            .WithSummary("The tasks and edges the pipeline would run with the query's parameters (defaults for the rest), as if nothing were complete; nothing is run or checked.")
            .Produces<PipelineGraph>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/pipelines/{name}/plan", PlanAsync)
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithName("PlanRun")
            .WithSummary("A dry run: resolves the graph with the query's parameters and checks completeness as a run would, running nothing; "
                + "what would run and what is already complete, by family (`listed`: tasks listed, default 200).")
            .Produces<DryRunPlan>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/pipelines/{name}/runs", TriggerAsync)
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithMetadata(new RequestSizeLimitAttribute(ApiProblems.MaxBodyBytes))
            .WithName("TriggerRun").WithSummary("Queues a run of the pipeline; answers 202 with the run's id and URL.")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> TriggerAsync(
        string name, TriggerRequest? request, PipelineRegistry registry, RunClient executor, HttpContext http, CancellationToken cancellationToken)
    {
        if (registry.Find(name) is null)
        {
            return UnknownPipeline(name, registry);
        }

        try
        {
            var parameters = (request ?? new TriggerRequest(null)).ParametersAsText();
            var id = await executor.EnqueueAsync(
                new RunRequest(registry.Find(name)!.Name, parameters, RunTrigger.Api, http.User.Identity?.Name), cancellationToken);
            var url = $"{http.Request.PathBase}/api/runs/{id}"; // under MapLuigi's prefix
            return Results.Accepted(url, new RunAccepted(id, url));
        }
        catch (ParameterException exception)
        {
            return ApiProblems.InvalidParameters(exception);
        }
    }

    private static Task<IResult> PreviewAsync(
        string name, PipelineRegistry registry, PipelinePreviewResolver resolver, HttpContext http, CancellationToken cancellationToken) =>
        ResolveAsync(name, registry, async () => Results.Ok(await resolver.ResolveAsync(name, Query(http), cancellationToken)));

    private static Task<IResult> PlanAsync(
        string name, int? listed, PipelineRegistry registry, DryRunPlanner planner, HttpContext http, CancellationToken cancellationToken) =>
        ResolveAsync(name, registry, async () => Results.Ok(await planner.PlanAsync(
            name, Query(http).Where(q => q.Key != "listed"), null, Math.Clamp(listed ?? 200, 0, 100_000), cancellationToken)));

    private static IEnumerable<KeyValuePair<string, string>> Query(HttpContext http) =>
        http.Request.Query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString()));

    /// <summary>Answers with <paramref name="resolve"/>, or with the problem of an unknown pipeline, bad parameters or a cycle.</summary>
    private static async Task<IResult> ResolveAsync(string name, PipelineRegistry registry, Func<Task<IResult>> resolve)
    {
        if (registry.Find(name) is null)
        {
            return UnknownPipeline(name, registry);
        }

        try
        {
            return await resolve();
        }
        catch (ParameterException exception)
        {
            return ApiProblems.InvalidParameters(exception);
        }
        catch (DependencyCycleException exception)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Dependency cycle", detail: exception.Message);
        }
    }

    internal static IResult UnknownPipeline(string name, PipelineRegistry registry) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown pipeline",
            detail: new UnknownPipelineException(name, registry.All.Select(p => p.Name).ToArray()).Message);
}
