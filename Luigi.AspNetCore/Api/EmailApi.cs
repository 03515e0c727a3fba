using Luigi.Web.Auth;
using Luigi.Web.Email;

namespace Luigi.Web.Api;

/// <summary><c>/api/email</c>: the state of failure e-mail, and a test message.</summary>
internal static class EmailApi
{
    public static RouteGroupBuilder MapEmailApi(this RouteGroupBuilder api)
    {
        api.MapGet("/email/status", (EmailStatusService email, CancellationToken ct) => email.GetStatusAsync(ct))
            .WithName("GetEmailStatus").WithSummary("Messages waiting, the last one sent, and the last delivery error with its time.");

        api.MapPost("/email/test", SendTestAsync)
            .RequireAuthorization(LuigiPolicies.Operate)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ApiProblems.MaxBodyBytes))
            .WithName("SendTestEmail").WithSummary("Queues a test e-mail to the given address, or to the configured recipients; answers 202.")
            .Produces<TestEmailQueued>(StatusCodes.Status202Accepted).ProducesValidationProblem();
        return api;
    }

    private static async Task<IResult> SendTestAsync(TestEmailRequest? request, EmailStatusService email, HttpContext http, CancellationToken ct)
    {
        try
        {
            var queued = await email.SendTestAsync(request?.To, http.User.Identity?.Name, ct);
            return Results.Accepted($"{http.Request.PathBase}/api/email/status", queued);
        }
        catch (EmailTestException exception)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["to"] = [exception.Message] }, title: "Cannot send a test e-mail");
        }
    }
}

/// <summary>Body of a test e-mail request.</summary>
/// <param name="To">The address to send it to; the configured recipients when empty.</param>
public sealed record TestEmailRequest(string? To);
