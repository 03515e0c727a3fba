using System.Text.Json;
using System.Text.RegularExpressions;
using Luigi.Engine.Parameters;
using Microsoft.AspNetCore.Diagnostics;

namespace Luigi.Web.Api;

/// <summary>
/// The API's refusals as RFC 7807 problem details that say what was wrong and where: each bad field under
/// <c>errors</c> (by name), its limit under <c>limits</c> when it broke one.
/// </summary>
public static partial class ApiProblems
{
    /// <summary>Longest body an API action takes (1 MiB): a request for a run is a few parameters.</summary>
    public const long MaxBodyBytes = 1 << 20;

    /// <summary>400 naming each bad parameter, with its limit when it broke one.</summary>
    public static IResult InvalidParameters(ParameterException exception)
    {
        var limits = exception.Errors.Where(e => e.Limit is not null).GroupBy(e => e.Parameter).ToDictionary(g => g.Key, g => g.First().Limit);
        return Results.ValidationProblem(
            exception.Errors.GroupBy(e => e.Parameter).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "Invalid parameters", detail: exception.Message,
            extensions: limits.Count == 0 ? null : new Dictionary<string, object?> { ["limits"] = limits });
    }

    /// <summary>400 naming each bad field of a schedule or backfill (<c>cron</c>, <c>timeZone</c>, <c>pipeline</c>, <c>parameters.date</c>, ...).</summary>
    public static IResult InvalidSchedule(Luigi.Engine.Schedules.ScheduleException exception, string title = "Invalid schedule") =>
        Results.ValidationProblem(
            exception.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: title, detail: exception.Message);

    /// <summary>400 naming one field.</summary>
    public static IResult InvalidField(string field, string message, string title = "Invalid request") =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: title, detail: message);

    /// <summary>
    /// The name of the field a binding failure is about: the JSON path of a body that could not be read
    /// (<c>$.scope</c> is <c>scope</c>), or the route or query parameter (<c>Failed to bind parameter "int? page"</c>).
    /// </summary>
    internal static string FieldOf(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            return json.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body";
        }

        var match = BoundParameter().Match(exception.Message);
        return match.Success && !exception.Message.Contains("request body", StringComparison.Ordinal) ? match.Groups["name"].Value : "body";
    }

    [GeneratedRegex("parameter \"(?:[^\"]* )?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex BoundParameter();
}

/// <summary>
/// Turns a request the framework could not bind (malformed or non-UTF-8 JSON, an unknown enum name, a number where a
/// text is due, a query value of the wrong type, a body too large) into a problem detail naming the field, instead of
/// a bare status code.
/// </summary>
internal sealed class BadRequestProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var field = ApiProblems.FieldOf(bad);
        var reason = bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Malformed request",
            Detail = reason,
            Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [reason] } },
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
