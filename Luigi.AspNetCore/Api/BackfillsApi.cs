using Luigi.Engine.Execution;
using Luigi.Engine.Pipelines;
using Luigi.Engine.Schedules;
using Luigi.Web.Auth;
using Luigi.Web.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Luigi.Web.Api;

/// <summary><c>POST /api/pipelines/{name}/backfills</c> (Operators) and <c>/api/backfills</c> (their progress).</summary>
internal static class BackfillsApi
{
    public static RouteGroupBuilder MapBackfillsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/pipelines/{name}/backfills", StartAsync)
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithMetadata(new RequestSizeLimitAttribute(ApiProblems.MaxBodyBytes))
            .WithName("StartBackfill")
            .WithSummary("Runs the pipeline once per date from `from` to `to` (inclusive), at most `maxConcurrentRuns` at once; dates already complete are skipped. Answers 202 with the backfill.")
            .Produces<BackfillAccepted>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/backfills", async (string? pipeline, Backfills backfills, CancellationToken ct) => await backfills.ListAsync(pipeline, 100, ct))
            .WithName("ListBackfills").WithSummary("Backfills, newest first (of one pipeline with `pipeline`), with their progress in dates.");

        api.MapGet("/backfills/{id}", async (Guid id, Backfills backfills, CancellationToken ct) =>
                await backfills.GetAsync(id, ct) is { } detail
                    ? Results.Ok(detail)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown backfill", detail: $"There is no backfill {id}."))
            .WithName("GetBackfill").WithSummary("One backfill: its progress and each date with its run.")
            .Produces<BackfillDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> StartAsync(
        string name, BackfillRequestDto? request, PipelineRegistry registry, Backfills backfills, ScheduleSignal signal, HttpContext http, CancellationToken ct)
    {
        if (registry.Find(name) is not { } info)
        {
            return PipelinesApi.UnknownPipeline(name, registry);
        }

        if (request?.From is not { } from || request.To is not { } to)
        {
            return ApiProblems.InvalidField(request?.From is null ? "from" : "to", "'from' and 'to' are required dates (yyyy-MM-dd).");
        }

        try
        {
            var parameters = new TriggerRequest(request.Parameters).ParametersAsText();
            var backfill = await backfills.StartAsync(
                new BackfillRequest(info.Name, from, to, parameters, request.DateParameter, request.MaxConcurrentRuns ?? 3), SchedulesApi.Actor(http), RunTrigger.Api, ct);
            signal.Pulse();
            var url = $"{http.Request.PathBase}/api/backfills/{backfill.Id}";
            return Results.Accepted(url, new BackfillAccepted(backfill.Id, url, backfill));
        }
        catch (Luigi.Engine.Parameters.ParameterException exception)
        {
            return ApiProblems.InvalidParameters(exception);
        }
        catch (ScheduleException exception)
        {
            return ApiProblems.InvalidSchedule(exception, "Invalid backfill");
        }
    }
}
