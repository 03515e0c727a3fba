using Microsoft.AspNetCore.Diagnostics;

namespace Luigi.Web.Reliability;

/// <summary>
/// Answers a request that failed because the store is unreachable (<see cref="StoreFaults"/>) with
/// <c>503 Service Unavailable</c> and <c>Retry-After</c>, as problem details (RFC 7807) for programs and a short page
/// for browsers, instead of a 500: clients and proxies know to come back, and the log gets one warning, not a stack
/// trace per request. Other exceptions go on to the default handler.
/// </summary>
internal sealed class StoreOutageHandler(IProblemDetailsService problems, ILogger<StoreOutageHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client should wait before trying again.</summary>
    public const int RetryAfterSeconds = 5;

    public const string Title = "The store is unreachable";

    public const string Detail = "The database that keeps runs cannot be reached just now. Try again in a few seconds.";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!StoreFaults.IsUnreachable(exception))
        {
            return false;
        }

        logger.LogWarning("{Method} {Path} answered 503: the store is unreachable ({Error})", context.Request.Method, context.Request.Path,
            Innermost(exception).Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        var browser = context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
        if (!browser && await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = Title, Detail = Detail },
            }))
        {
            return true;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Title} · Luigi</title></head>" +
            $"<body><h1>{Title}</h1><p data-testid=\"store-unreachable\">{Detail}</p><p><a href=\"\">Reload</a></p></body></html>",
            cancellationToken);
        return true;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
