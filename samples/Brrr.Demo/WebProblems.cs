using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brrr.Demo;

/// <summary>
/// The web's error answers, all ProblemDetails (<c>application/problem+json</c>) with the message in <c>detail</c>
/// and in <c>error</c>: 400 and 404 from the endpoints, 503 when a backend fails (never a 500 with an empty body),
/// and a body for what the framework answers alone (an unknown route, a wrong method, a request target over
/// <see cref="MaxRequestTarget"/> characters).
/// </summary>
public static class WebProblems
{
    /// <summary>The longest request target (path and query) answered with more than 414: Kestrel's default request line limit.</summary>
    public const int MaxRequestTarget = 8 * 1024;

    // Kestrel answers longer request lines with a bare 414 before the application sees them: let it read targets up
    // to this length, so that the demo answers those with a body.
    private const int KestrelRequestLine = 64 * 1024;

    /// <summary>Registers ProblemDetails and the backend-failure handler, and raises Kestrel's request line limit.</summary>
    public static void Add(WebApplicationBuilder builder, BackendFailures backends)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(backends);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = KestrelRequestLine);
        builder.Services.AddSingleton(backends);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Detail ??= Explain(context.HttpContext, problem.Status);
            problem.Extensions["error"] = problem.Detail ?? problem.Title;
        });
        builder.Services.AddExceptionHandler<BackendFailureHandler>();
    }

    /// <summary>Adds the exception handler, the status code pages and the request target limit to <paramref name="app"/>'s pipeline.</summary>
    public static void Use(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpRequestFeature>()?.RawTarget.Length > MaxRequestTarget)
            {
                context.Response.StatusCode = StatusCodes.Status414UriTooLong;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    /// <summary>A ProblemDetails answer with <paramref name="status"/> and <paramref name="message"/>.</summary>
    public static IResult Result(int status, string message) =>
        Results.Problem(detail: message, statusCode: status, extensions: new Dictionary<string, object?> { ["error"] = message });

    private static string? Explain(HttpContext context, int? status) => status switch
    {
        StatusCodes.Status404NotFound => $"no route for {context.Request.Method} {context.Request.Path}: POST /<task>?k=v schedules, GET /<task>?k=v reads",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed: POST /<task>?k=v schedules, GET /<task>?k=v reads",
        StatusCodes.Status414UriTooLong => $"the request target is longer than {MaxRequestTarget} characters",
        _ => null,
    };

    /// <summary>Answers a backend failure with 503 and the backend's name, logged as one warning line without a stack trace.</summary>
    private sealed class BackendFailureHandler(BackendFailures backends, IProblemDetailsService problems, ILogger<BackendFailureHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (backends.Describe(exception) is not { } message)
            {
                return false;
            }

            logger.LogWarning("{Method} {Path}: 503, {Problem}", httpContext.Request.Method, httpContext.Request.Path, message);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Detail = message },
            });
        }
    }
}
