using Luigi.Engine.Execution;
using Luigi.Engine.Schedules;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Api;

/// <summary><c>/api/schedules</c>: read by Viewers; made, changed, paused, resumed and deleted by Operators (audited).</summary>
internal static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedulesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/schedules", async (string? pipeline, ScheduleStore schedules, HttpContext http, CancellationToken ct) =>
                (await schedules.ListAsync(pipeline, ct)).Select(s => ScheduleDto.From(s, http.Request.PathBase)).ToList())
            .WithName("ListSchedules").WithSummary("Every schedule (of one pipeline with `pipeline`), with its next fire time (UTC) and latest run and result.");

        api.MapGet("/schedules/{name}", async (string name, ScheduleStore schedules, HttpContext http, CancellationToken ct) =>
                await schedules.GetAsync(name, 5, ct) is { } detail ? Results.Ok(ScheduleDto.From(detail.Schedule, http.Request.PathBase, detail.NextFireTimes)) : NotFound(name))
            .WithName("GetSchedule").WithSummary("One schedule, with its next five fire times (UTC).")
            .Produces<ScheduleDto>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/schedules/{name}/audit", async (string name, ScheduleStore schedules, CancellationToken ct) =>
                await schedules.AuditAsync(name, ct) is { Count: > 0 } trail ? Results.Ok(trail) : NotFound(name))
            .WithName("GetScheduleAudit")
            .WithSummary("Who made, changed, paused, resumed or deleted the schedule, and the runs its fire times queued, oldest first (kept after a delete).")
            .Produces<IReadOnlyList<AuditView>>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/schedules", async (ScheduleRequest? request, ScheduleStore schedules, HttpContext http, CancellationToken ct) =>
                await ActAsync(async () =>
                {
                    var created = await schedules.CreateAsync((request ?? Empty).ToDefinition(), Actor(http), RunTrigger.Api, ct);
                    return Results.Created($"{http.Request.PathBase}/api/schedules/{Uri.EscapeDataString(created.Name)}", ScheduleDto.From(created, http.Request.PathBase));
                }))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithMetadata(new RequestSizeLimitAttribute(ApiProblems.MaxBodyBytes))
            .WithName("CreateSchedule")
            .WithSummary("Makes a schedule. A bad cron, unknown time zone, unknown pipeline or bad parameter is a 400 naming it; a taken name a 409.")
            .Produces<ScheduleDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);

        api.MapPut("/schedules/{name}", async (string name, ScheduleRequest? request, ScheduleStore schedules, HttpContext http, CancellationToken ct) =>
                await ActAsync(async () => await schedules.UpdateAsync(name, (request ?? Empty).ToDefinition(name), Actor(http), RunTrigger.Api, ct) is { } updated
                    ? Results.Ok(ScheduleDto.From(updated, http.Request.PathBase))
                    : NotFound(name)))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithMetadata(new RequestSizeLimitAttribute(ApiProblems.MaxBodyBytes))
            .WithName("UpdateSchedule").WithSummary("Replaces a schedule's definition (its name stays); fire times from now on follow it.")
            .Produces<ScheduleDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/schedules/{name}/pause", (string name, ScheduleStore schedules, HttpContext http, CancellationToken ct) => SetPausedAsync(name, true, schedules, http, ct))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithName("PauseSchedule").WithSummary("Pauses a schedule: no fire time makes a run until it is resumed.")
            .Produces<ScheduleDto>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/schedules/{name}/resume", (string name, ScheduleStore schedules, HttpContext http, CancellationToken ct) => SetPausedAsync(name, false, schedules, http, ct))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithName("ResumeSchedule").WithSummary("Resumes a schedule from its next fire time (fire times while it was paused are not caught up).")
            .Produces<ScheduleDto>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/schedules/{name}", async (string name, ScheduleStore schedules, HttpContext http, CancellationToken ct) =>
                await schedules.DeleteAsync(name, Actor(http), RunTrigger.Api, ct) ? Results.NoContent() : NotFound(name))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithName("DeleteSchedule").WithSummary("Deletes a schedule; the runs it made stay.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static readonly ScheduleRequest Empty = new(null, null, null, null, null, null, null, null, null, null, null);

    private static async Task<IResult> SetPausedAsync(string name, bool paused, ScheduleStore schedules, HttpContext http, CancellationToken ct) =>
        await schedules.SetPausedAsync(name, paused, Actor(http), RunTrigger.Api, ct) is { } view ? Results.Ok(ScheduleDto.From(view, http.Request.PathBase)) : NotFound(name);

    private static async Task<IResult> ActAsync(Func<Task<IResult>> act)
    {
        try
        {
            return await act();
        }
        catch (ScheduleException exception)
        {
            return ApiProblems.InvalidSchedule(exception);
        }
        catch (ScheduleConflictException exception)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Schedule conflict", detail: exception.Message);
        }
    }

    internal static string? Actor(HttpContext http) => http.User.Identity?.Name;

    private static IResult NotFound(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown schedule", detail: $"There is no schedule '{(name.Length <= 100 ? name : name[..100] + "…")}'.");
}
