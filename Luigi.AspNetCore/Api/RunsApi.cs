using Luigi.Engine;
using Luigi.Engine.Execution;
using Luigi.Engine.Parameters;
using Luigi.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Luigi.Engine.ReadModel;

namespace Luigi.Web.Api;

/// <summary><c>/api/runs</c>: history, one run, one task, re-run and cancel.</summary>
internal static class RunsApi
{
    private const int MaxPageSize = 500;
    private const int MaxFilterLength = 200;

    public static RouteGroupBuilder MapRunsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/runs", ListAsync)
            .WithName("ListRuns")
            .WithSummary("Runs, newest first, filtered by pipeline, state, creation time (since, until) and text in their parameters or task ids (search), paged (page from 1; pageSize 1 to 500; a page past the end is empty).")
            .Produces<RunPage>().ProducesValidationProblem();

        api.MapGet("/runs/{id}", RunTasksApi.GetRunAsync)
            .WithName("GetRun")
            .WithSummary($"One run with its counts by state, its tasks (by index, a page at a time: page from 1, pageSize 1 to {RunTasksApi.MaxRunPageSize:N0}, default {RunTasksApi.MaxRunPageSize:N0}, so a run of up to that many tasks comes whole), their attempts, and the edges into them. taskTotal counts every task; a Link header (rel=next) gives the next page.")
            .Produces<RunDetail>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs/{id}/tasks", RunTasksApi.ListTasksAsync)
            .WithName("ListRunTasks")
            .WithSummary($"A page of a run's tasks with their attempts, filtered by state, family and text in the task id, ordered (order: {string.Join(", ", Enum.GetNames<TaskOrder>())}; descending), paged (page from 1; pageSize 1 to {TaskQuery.MaxPageSize}, default 100); total counts the matching tasks.")
            .Produces<TaskPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs/{id}/counts", async (Guid id, RunReader reader, CancellationToken ct) =>
                await reader.GetCountsAsync(id, ct) is { } counts ? Results.Ok(counts) : RunNotFound(id))
            .WithName("GetRunCounts").WithSummary("A run's tasks counted by state and by family (most first), computed by the database.")
            .Produces<RunCounts>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs/{id}/summary", async (Guid id, RunReader reader, CancellationToken ct) =>
                await reader.FindAsync(id, ct) is { } run ? Results.Ok(run) : RunNotFound(id))
            .WithName("GetRunSummary").WithSummary("One run as lists show it (state, times, counts), without its tasks: cheap to poll.")
            .Produces<RunListItem>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/resources", async (LuigiEngineOptions engine, RunReader reader, CancellationToken ct) =>
                Results.Ok(await reader.GetResourcesAsync(engine.Resources, 50, ct)))
            .WithName("ListResources")
            .WithSummary("Each configured resource (Luigi:Resources:<name>): its total, what running tasks hold of it, and the ready tasks that need it and wait (up to 50 of each).")
            .Produces<IReadOnlyList<ResourceUse>>();

        api.MapGet("/runs/{id}/graph", RunTasksApi.GetGraphAsync)
            .WithName("GetRunGraph")
            .WithSummary("A run's tasks (id, family, state, attempts, blocking task, parameters; no attempts' details) and edges, in columns: what its graph draws.")
            .Produces<RunGraphColumns>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/runs/{id}/graph/groups", async (Guid id, RunReader reader, CancellationToken ct) =>
                await reader.GetGraphGroupsAsync(id, ct) is { } groups ? Results.Ok(groups) : RunNotFound(id))
            .WithName("GetRunGraphGroups")
            .WithSummary("A run's graph grouped by family, counted by the database: each family with its counts by state, each pair of families with the number of task edges between them. The tasks of a family: /api/runs/{id}/tasks?family=…")
            .Produces<RunGraphGroups>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs/{id}/root-causes", async (Guid id, int? listed, RunReader reader, CancellationToken ct) =>
                await reader.GetRootCausesAsync(id, Math.Clamp(listed ?? 100, 0, 10_000), ct) is { } causes ? Results.Ok(causes) : RunNotFound(id))
            .WithName("GetRunRootCauses")
            .WithSummary("The run's failed tasks, each with the number, families and list (up to `listed`, default 100) of the tasks it blocked; most blocking first.")
            .Produces<RootCauses>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs/{id}/audit", async (Guid id, RunReader reader, CancellationToken ct) =>
                await reader.FindAsync(id, ct) is null ? RunNotFound(id) : Results.Ok(await reader.GetAuditAsync(id, ct)))
            .WithName("GetRunAudit").WithSummary("Who asked for the run, re-ran it or cancelled it, when and from where, oldest first.")
            .Produces<IReadOnlyList<AuditView>>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/runs/{id}/tasks/{index}", async (Guid id, int index, RunReader reader, CancellationToken ct) =>
                await reader.GetTaskAsync(id, index, ct) is { } task
                    ? Results.Ok(task)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown task", detail: $"Run {id} has no task {index}."))
            .WithName("GetTask").WithSummary("One task of a run with its full error and each attempt's log.")
            .Produces<TaskDetail>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/runs/{id}/rerun", (Guid id, RerunRequest? request, RunClient executor, HttpContext http, CancellationToken ct) =>
                RerunAsync(id, request ?? new RerunRequest(), executor, http, ct))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithMetadata(new RequestSizeLimitAttribute(ApiProblems.MaxBodyBytes))
            .WithName("RerunRun").WithSummary("Queues a new run of the same pipeline and parameters, for the given scope.")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/runs/{id}/tasks/{index}/rerun", async (Guid id, int index, RunReader reader, RunClient executor, HttpContext http, CancellationToken ct) =>
                await reader.GetTaskAsync(id, index, ct) is { } task
                    ? await RerunAsync(id, new RerunRequest(RerunScope.TaskAndDownstream, task.Task.TaskId), executor, http, ct)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown task", detail: $"Run {id} has no task {index}."))
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithName("RerunTask").WithSummary("Queues a new run that forces this task and everything downstream of it to run again.")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/runs/{id}/cancel", CancelAsync)
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithName("CancelRun").WithSummary("Cancels a queued or running run: waiting tasks are cancelled, running ones are stopped.")
            .Produces<CancelAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> ListAsync(
        RunReader reader, string? pipeline, RunState? state, DateTime? since, DateTime? until, string? search, int? page, int? pageSize, CancellationToken ct)
    {
        if (page < 1)
        {
            return ApiProblems.InvalidField("page", $"page counts from 1; got {page}.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return ApiProblems.InvalidField("pageSize", $"pageSize is from 1 to {MaxPageSize}; got {pageSize}.");
        }

        if (search?.Length > MaxFilterLength || pipeline?.Length > MaxFilterLength)
        {
            var field = search?.Length > MaxFilterLength ? "search" : "pipeline";
            return ApiProblems.InvalidField(field, $"{field} is at most {MaxFilterLength} characters long.");
        }

        if (state is { } given && !Enum.IsDefined(given))
        {
            return ApiProblems.InvalidField("state", $"state is one of {string.Join(", ", Enum.GetNames<RunState>())}; got {(int)given}.");
        }

        var filter = new RunFilter(pipeline, state, since?.ToUniversalTime(), page ?? 1, pageSize ?? 50, until?.ToUniversalTime(), search);
        return Results.Ok(await reader.ListAsync(filter, ct));
    }

    private static async Task<IResult> RerunAsync(Guid id, RerunRequest request, RunClient executor, HttpContext http, CancellationToken ct)
    {
        if (!Enum.IsDefined(request.Scope))
        {
            return ApiProblems.InvalidField("scope", $"scope is one of {string.Join(", ", Enum.GetNames<RerunScope>())}.", "Invalid re-run");
        }

        if (request.TaskId?.Length > RerunRequest.MaxTaskIdLength)
        {
            return ApiProblems.InvalidField("taskId", $"taskId is at most {RerunRequest.MaxTaskIdLength} characters long.", "Invalid re-run");
        }

        try
        {
            var newId = await executor.RerunAsync(id, request.Scope, request.TaskId, http.User.Identity?.Name, ct);
            if (newId is null)
            {
                return RunNotFound(id);
            }

            var url = $"{http.Request.PathBase}/api/runs/{newId}";
            return Results.Accepted(url, new RunAccepted(newId.Value, url));
        }
        catch (ArgumentException exception)
        {
            return ApiProblems.InvalidField(exception.ParamName ?? "taskId", exception.Message, "Invalid re-run");
        }
        catch (ParameterException exception)
        {
            // The run's stored parameters no longer pass the pipeline's limits (they changed since): nothing is queued.
            return ApiProblems.InvalidParameters(exception);
        }
    }

    private static async Task<IResult> CancelAsync(Guid id, RunClient executor, RunReader reader, HttpContext http, CancellationToken ct) =>
        await executor.CancelAsync(id, http.User.Identity?.Name, RunTrigger.Api, ct) switch
        {
            CancelResult.NotFound => RunNotFound(id),
            CancelResult.AlreadyFinished => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Run already finished",
                detail: $"Run {id} has already finished ({(await reader.FindAsync(id, ct))?.State}); there is nothing to cancel."),
            _ => Results.Accepted($"{http.Request.PathBase}/api/runs/{id}", new CancelAccepted(id, (await reader.FindAsync(id, ct))!.State)),
        };

    internal static IResult RunNotFound(Guid id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown run", detail: $"There is no run {id}.");
}
