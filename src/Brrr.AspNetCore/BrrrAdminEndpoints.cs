using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Inspection;
using Brrr.Tasks;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brrr.AspNetCore;

/// <summary>
/// Maps the admin HTTP API of a brrr fleet: the data and actions of the <c>brrr</c> tool as JSON, for the dashboard
/// and for scripts (docs/operating.md lists the endpoints). Reads need <see cref="BrrrAdminOptions.ReadPolicy"/>
/// (default: the host's default policy); actions are mapped only with <see cref="BrrrAdminOptions.ActionPolicy"/>,
/// take a JSON body (<c>application/json</c>, which a cross-site form cannot send) and are never cached. Errors are
/// problem bodies: 400 for a bad request, 404 for what does not exist, 413 for a body over its limit, 415 for a body
/// that is no JSON, 503 when the queue or store cannot be reached or does not answer in time, 500 (with the error's type
/// only; the log has the rest) for any other failure.
/// </summary>
public static partial class BrrrAdminEndpoints
{
    /// <summary>The usual prefix: <c>/brrr/api</c>.</summary>
    public const string DefaultPrefix = "/brrr/api";

    /// <summary>Maps the admin API of the fleet behind <paramref name="backends"/> under <paramref name="prefix"/>.</summary>
    /// <param name="endpoints">The host's endpoints (<c>app</c>).</param>
    /// <param name="prefix">The route prefix, e.g. <see cref="DefaultPrefix"/>.</param>
    /// <param name="backends">The fleet's queue, store, cache and codec; the queue must implement <see cref="IQueueAdmin"/>.</param>
    /// <param name="configure">Sets the policies and limits.</param>
    /// <returns>The route group, for more conventions (rate limiting, CORS, a host filter).</returns>
    public static RouteGroupBuilder MapBrrrAdmin(this IEndpointRouteBuilder endpoints, string prefix, BrrrBackends backends, Action<BrrrAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var options = OptionsOf(configure);
        return Map(endpoints, prefix, backends.CreateClient(options.SpawnLimit), backends.Queue, options, antiforgery: false);
    }

    /// <summary>Maps the admin API of <paramref name="worker"/>'s fleet under <paramref name="prefix"/>, with the worker's dead-letter suffix and spawn limit.</summary>
    /// <param name="endpoints">The host's endpoints (<c>app</c>).</param>
    /// <param name="prefix">The route prefix, e.g. <see cref="DefaultPrefix"/>.</param>
    /// <param name="worker">The worker; its queue must implement <see cref="IQueueAdmin"/>.</param>
    /// <param name="configure">Sets the policies and limits.</param>
    /// <returns>The route group, for more conventions.</returns>
    public static RouteGroupBuilder MapBrrrAdmin(this IEndpointRouteBuilder endpoints, string prefix, BrrrWorker worker, Action<BrrrAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return Map(endpoints, prefix, worker.Client, worker.Backends.Queue, OptionsOf(worker, configure), antiforgery: false);
    }

    /// <summary>The defaults, then <paramref name="configure"/>'s changes, checked.</summary>
    internal static BrrrAdminOptions OptionsOf(Action<BrrrAdminOptions>? configure) => Configured(new BrrrAdminOptions(), configure);

    /// <summary>The options of a worker's fleet: its dead-letter suffix and spawn limit, then <paramref name="configure"/>'s changes, checked.</summary>
    internal static BrrrAdminOptions OptionsOf(BrrrWorker worker, Action<BrrrAdminOptions>? configure) => Configured(
        new BrrrAdminOptions
        {
            DeadLetterSuffix = worker.Settings.DeadLetterSuffix is { Length: > 0 } suffix ? suffix : DeadLetterAdmin.DefaultSuffix,
            SpawnLimit = worker.Settings.SpawnLimit,
        },
        configure);

    private static BrrrAdminOptions Configured(BrrrAdminOptions options, Action<BrrrAdminOptions>? configure)
    {
        configure?.Invoke(options);
        options.Validate();
        return options;
    }

    /// <summary>Maps the API; with <paramref name="antiforgery"/> (the dashboard's), every action also needs an anti-forgery token (from <c>GET capabilities</c>).</summary>
    internal static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix, BrrrClient client, IQueue queue, BrrrAdminOptions options, bool antiforgery)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        IAntiforgery? forgery = null;
        if (antiforgery && options.ActionPolicy is not null)
        {
            forgery = endpoints.ServiceProvider.GetService<IAntiforgery>()
                ?? throw new InvalidOperationException("The brrr dashboard's actions need anti-forgery tokens: call services.AddAntiforgery() (or name no ActionPolicy).");
        }

        var api = new AdminApi(client, queue, options, forgery);
        var group = endpoints.MapGroup(prefix);
        string[] reads = options.ReadPolicy is { } read ? [read] : [];
        void Get(string pattern, Func<AdminRequest, Task<IResult>> handler) =>
            group.MapGet(pattern, (RequestDelegate)(http => api.RunAsync(http, handler))).RequireAuthorization(reads);

        Get("/capabilities", api.CapabilitiesAsync);
        Get("/topics", api.TopicsAsync);
        Get("/status", api.StatusAsync);
        Get("/inspect", api.InspectAsync);
        Get("/dead-letters", api.DeadLettersAsync);
        Get("/dead-letters/{id}", api.DeadLetterAsync);
        if (options.ActionPolicy is { } action)
        {
            void Post(string pattern, Func<AdminRequest, Task<IResult>> handler) =>
                group.MapPost(pattern, (RequestDelegate)(http => api.RunActionAsync(http, handler))).RequireAuthorization(action);

            Post("/schedule", api.ScheduleAsync);
            Post("/retry", api.RetryAsync);
            Post("/cancel", api.CancelAsync);
            Post("/requeue-lost", api.RequeueLostAsync);
            Post("/dead-letters/requeue", r => api.ActAsync(r, (admin, filter, ct) => admin.RequeueAsync(filter, ct)));
            Post("/dead-letters/purge", r => api.ActAsync(r, (admin, filter, ct) => admin.PurgeAsync(filter, ct)));
        }

        return group;
    }

    /// <summary>The handlers, over one client and the admin objects of its fleet.</summary>
    private sealed partial class AdminApi(BrrrClient client, IQueue queue, BrrrAdminOptions options, IAntiforgery? antiforgery)
    {
        private readonly DeadLetterAdmin _letters = new(queue, client, options.DeadLetterSuffix);
        private readonly FleetTopics _topics = new(queue, options.DeadLetterSuffix);
        private readonly BrrrInspector _inspector = new(client, queue, options.DeadLetterSuffix);

        public async Task RunAsync(HttpContext http, Func<AdminRequest, Task<IResult>> handler)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            timeout.CancelAfter(options.RequestTimeout);
            IResult result;
            try
            {
                result = await handler(new AdminRequest(http, options, timeout.Token)).ConfigureAwait(false);
            }
            catch (AdminProblemException e)
            {
                result = Problem(e.Status, e.Message);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or JsonException)
            {
                result = Problem(StatusCodes.Status400BadRequest, e.Message);
            }
            catch (SizeLimitException e)
            {
                result = Problem(StatusCodes.Status413PayloadTooLarge, e.Message);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!BackendOutage.Is(e))
            {
                Log.Failed(Logger(http), e, http.Request.Path.Value ?? "", e.GetType().Name);
                result = Problem(
                    StatusCodes.Status500InternalServerError,
                    $"the admin API failed unexpectedly ({e.GetType().Name}); the server log has its message");
            }
            catch (Exception e)
            {
                var timedOut = e is OperationCanceledException or TimeoutException;
                Log.BackendFailed(Logger(http), http.Request.Path.Value ?? "", e.GetType().Name, e.Message);
                result = Problem(
                    StatusCodes.Status503ServiceUnavailable,
                    timedOut
                        ? $"the fleet's queue or store did not answer within {options.RequestTimeout.TotalSeconds:0.#} s ({e.GetType().Name})"
                        : $"the fleet's queue or store failed ({e.GetType().Name}); the server log has its message");
            }

            http.Response.Headers.CacheControl = "no-store";
            await result.ExecuteAsync(http).ConfigureAwait(false);
        }

        /// <summary>Whether this user may act (the action policy is mapped and met), and the dashboard's anti-forgery token for it.</summary>
        public async Task<IResult> CapabilitiesAsync(AdminRequest r)
        {
            var actions = options.ActionPolicy is { } policy
                && r.Http.RequestServices.GetService<IAuthorizationService>() is { } authorization
                && (await authorization.AuthorizeAsync(r.Http.User, policy).ConfigureAwait(false)).Succeeded;
            var token = actions && antiforgery is not null ? antiforgery.GetAndStoreTokens(r.Http).RequestToken : null;
            return Json(new JsonObject { ["actions"] = actions, ["antiforgery_token"] = token });
        }

        /// <summary>Runs an action: with the dashboard's anti-forgery, only on a request that carries a valid token.</summary>
        public Task RunActionAsync(HttpContext http, Func<AdminRequest, Task<IResult>> handler) => RunAsync(http, async r =>
        {
            if (antiforgery is not null && !await antiforgery.IsRequestValidAsync(r.Http).ConfigureAwait(false))
            {
                throw AdminRequest.Bad("missing or bad anti-forgery token: reload the dashboard");
            }

            return await handler(r).ConfigureAwait(false);
        });

        public async Task<IResult> TopicsAsync(AdminRequest r) =>
            Json(new JsonArray([.. (await _topics.ListAsync(r.CancellationToken).ConfigureAwait(false)).Select(FleetJson.Topic)]));

        public async Task<IResult> StatusAsync(AdminRequest r)
        {
            var (hash, task) = r.Call(client, body: null);
            return Json(FleetJson.Status(hash, task, await client.GetStatusAsync(hash, r.CancellationToken).ConfigureAwait(false)));
        }

        public async Task<IResult> InspectAsync(AdminRequest r)
        {
            var depth = r.QueryInt("depth", BrrrInspector.MaxDepth, 1, BrrrInspector.MaxDepth);
            InspectionReport report;
            if (r.Query("root_id") is { } rootId)
            {
                if (r.Query("call_hash") is not null || r.Query("task") is not null)
                {
                    throw AdminRequest.Bad("give either root_id or a call (call_hash, or task with args), not both");
                }

                report = await _inspector.InspectRootAsync(CallHashes.CheckRootId(rootId), r.CancellationToken).ConfigureAwait(false)
                    ?? throw new AdminProblemException(StatusCodes.Status404NotFound, $"no job or dead letter of root {rootId} is left: inspect its call instead");
            }
            else
            {
                report = await _inspector.InspectAsync(r.Call(client, body: null).Hash, r.CancellationToken).ConfigureAwait(false);
            }

            return Json(InspectionText.Json(report, depth));
        }

        public async Task<IResult> ScheduleAsync(AdminRequest r)
        {
            var body = await r.BodyAsync("task", "args", "topic").ConfigureAwait(false);
            var task = AdminRequest.TaskName(AdminRequest.RequiredText(body, "task", "the task to schedule"));
            var topic = AdminRequest.RequiredText(body, "topic", "the topic the fleet's workers serve the task on");
            var call = client.Codec.EncodeCall(task, AdminRequest.Arguments(body));
            var rootId = BrrrClient.NewRootId();
            await client.ScheduleAsync(call, topic, rootId, r.CancellationToken).ConfigureAwait(false);
            return Json(new JsonObject { ["task"] = task, ["topic"] = topic, ["call_hash"] = call.CallHash, ["root_id"] = rootId }, StatusCodes.Status202Accepted);
        }

        public async Task<IResult> RetryAsync(AdminRequest r)
        {
            var body = await r.BodyAsync("task", "args", "call_hash", "topic").ConfigureAwait(false);
            var (hash, task) = r.Call(client, body);
            var topic = AdminRequest.RequiredText(body, "topic", "the topic the fleet's workers serve the task on");
            var call = task is not null
                ? client.Codec.EncodeCall(AdminRequest.TaskName(task), AdminRequest.Arguments(body))
                : await client.Memory.FindCallAsync(hash, r.CancellationToken).ConfigureAwait(false)
                    ?? throw new AdminProblemException(StatusCodes.Status404NotFound, $"no call record for {hash}: retry it by task and args");
            var rootId = await client.RetryAsync(call, topic, r.CancellationToken).ConfigureAwait(false);
            return Json(new JsonObject { ["task"] = call.TaskName, ["call_hash"] = call.CallHash, ["topic"] = topic, ["retried"] = rootId is not null, ["root_id"] = rootId });
        }

        public async Task<IResult> CancelAsync(AdminRequest r)
        {
            var body = await r.BodyAsync("root_id").ConfigureAwait(false);
            var rootId = CallHashes.CheckRootId(AdminRequest.RequiredText(body, "root_id", "the workflow root to cancel"));
            await client.CancelAsync(rootId, r.CancellationToken).ConfigureAwait(false);
            return Json(new JsonObject { ["root_id"] = rootId, ["cancelled"] = true });
        }

        public async Task<IResult> RequeueLostAsync(AdminRequest r)
        {
            var body = await r.BodyAsync("call_hash", "task", "args", "root_id", "topic").ConfigureAwait(false);
            var (hash, _) = r.Call(client, body);
            var rootId = AdminRequest.Text(body, "root_id") is { } root ? CallHashes.CheckRootId(root) : null;
            if (await _inspector.RequeueLostAsync(hash, rootId, AdminRequest.Text(body, "topic"), r.CancellationToken).ConfigureAwait(false) is { } why)
            {
                return Problem(StatusCodes.Status409Conflict, why);
            }

            return Json(InspectionText.Json(await _inspector.InspectAsync(hash, r.CancellationToken).ConfigureAwait(false)));
        }

        private static IResult Json(JsonNode json, int status = StatusCodes.Status200OK) =>
            Results.Content(json.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8, status);

        private static IResult Problem(int status, string message) =>
            Results.Content(
                new JsonObject { ["title"] = ReasonPhrase(status), ["status"] = status, ["detail"] = message, ["error"] = message }.ToJsonString(),
                "application/problem+json; charset=utf-8",
                Encoding.UTF8,
                status);

        private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

        private static ILogger Logger(HttpContext http) =>
            http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(typeof(BrrrAdminEndpoints).FullName!) ?? NullLogger.Instance;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "brrr admin {Path}: the queue or store failed with {ErrorType}: {Error}")]
        public static partial void BackendFailed(ILogger logger, string path, string errorType, string error);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "brrr admin {Path} failed unexpectedly with {ErrorType}")]
        public static partial void Failed(ILogger logger, Exception error, string path, string errorType);
    }
}
