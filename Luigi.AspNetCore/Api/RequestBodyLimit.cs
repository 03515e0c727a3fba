using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Luigi.Web.Api;

/// <summary>
/// Holds API actions to the body size their endpoint declares (<see cref="IRequestSizeLimitMetadata"/>, here
/// <see cref="ApiProblems.MaxBodyBytes"/>) before anything reads the body: a declared length above it is answered 413 at
/// once, and a body sent without a length is cut off where the server allows it.
/// </summary>
internal static class RequestBodyLimit
{
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize is not { } limit)
        {
            return next(context);
        }

        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Items[RefusalDetails.ReasonItem] = $"The body is {context.Request.ContentLength} bytes; this action takes at most {limit} (too large).";
            return Task.CompletedTask;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    });
}
