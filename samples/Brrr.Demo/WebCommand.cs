using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Brrr.Akka;
using Brrr.AspNetCore;
using Brrr.Inspection;
using Brrr.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brrr.Demo;

/// <summary>
/// <c>web</c>: the reference demo's HTTP shape. <c>POST /{task}?k=v</c> schedules (202), <c>GET /{task}?k=v</c>
/// reads (200 with the result, or 200 with <c>{"status":"failed","error":...,"chain":[...]}</c> for a call that failed
/// for good, see <see cref="FailureText.Json"/>: a failure is an answer, not an HTTP error; 404 for an unknown task or a missing result; 400 for bad arguments, see
/// <see cref="DemoArguments"/>; 503 when a backend is down). Query values are strings, as in the reference demo, so
/// the same call hashes come out of every language's web. Every error has a ProblemDetails body whose
/// <c>error</c> member says what is wrong. <c>GET /healthz</c> answers the brrr health check
/// (<see cref="BrrrHealthCheck"/>: 200 Healthy or Degraded, 503 Unhealthy when the queue or store does not answer).
/// The dashboard (<see cref="BrrrDashboardEndpoints"/>) is on <c>/brrr/</c> and the admin API's read endpoints under
/// <c>/brrr/api</c>, open to anyone who can reach the demo, as its results are; no action is mapped: use the <c>brrr</c>
/// tool (or <c>brrr dashboard --actions</c>). With <c>BRRR_DEMO_QUEUE=sqs</c> the SQS queue cannot list its topics or
/// messages as the dashboard needs, so <c>/brrr/</c> answers 501 naming the mode; the tasks and <c>/healthz</c> work.
/// </summary>
public static class WebCommand
{
    private const string AnyonePolicy = "brrr-demo-anyone";

    /// <summary>Serves until stopped (Ctrl+C, SIGTERM).</summary>
    public static async Task<int> RunAsync(ILookup<string, string> options)
    {
        var host = Environment.GetEnvironmentVariable("BRRR_DEMO_LISTEN_HOST") is { Length: > 0 } h ? h : "127.0.0.1";
        var port = Environment.GetEnvironmentVariable("BRRR_DEMO_LISTEN_PORT") is { Length: > 0 } p ? p : "8080";
        var config = Cli.LoadConfig(options);
        var spawnLimit = BrrrSettings.Create(config).SpawnLimit;
        await using var environment = await DemoEnvironment.ConnectAsync(config);
        var client = environment.Backends.CreateClient(spawnLimit);
        var backends = BackendFailures.Of(environment);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        WebProblems.Add(builder, backends);
        builder.Services.AddHealthChecks().AddBrrrHealthChecks(environment.Backends, o => o.Topics = [DemoTasks.Topic]);
        builder.Services.AddAuthorization(o => o.AddPolicy(AnyonePolicy, p => p.RequireAssertion(_ => true)));
        await using var app = builder.Build();
        WebProblems.Use(app);
        app.MapHealthChecks("/healthz");
        if (environment.Sqs is null)
        {
            app.MapBrrrDashboard(BrrrDashboardEndpoints.DefaultPrefix, environment.Backends, o =>
            {
                o.ReadPolicy = AnyonePolicy;
                o.SpawnLimit = spawnLimit;
            });
        }
        else
        {
            var noDashboard = $"the dashboard and admin API need a queue that lists its topics and messages (Redis): not available with {DemoEnvironment.QueueVariable}=sqs";
            app.MapGet(BrrrDashboardEndpoints.DefaultPrefix + "/{**rest}", () => WebProblems.Result(StatusCodes.Status501NotImplemented, noDashboard));
        }

        app.MapPost("/{task}", async (string task, HttpRequest request) =>
        {
            if (!TryParse(task, request, spawnLimit, out var args, out var problem))
            {
                return problem;
            }

            if (backends.Down() is { } down)
            {
                return WebProblems.Result(StatusCodes.Status503ServiceUnavailable, down);
            }

            await client.ScheduleAsync(Ref(task), args);
            return Results.Json(new JsonObject { ["status"] = "accepted" }, statusCode: StatusCodes.Status202Accepted);
        });
        app.MapGet("/{task}", async (string task, HttpRequest request) =>
        {
            if (!TryParse(task, request, spawnLimit: null, out var args, out var problem))
            {
                return problem;
            }

            if (backends.Down() is { } down)
            {
                return WebProblems.Result(StatusCodes.Status503ServiceUnavailable, down);
            }

            var status = await client.GetStatusAsync(Ref(task), args);
            return status.State == CallState.Completed ? Results.Json(new JsonObject { ["status"] = "ok", ["result"] = status.Value?.DeepClone() })
                : status.Error is { } error ? Results.Json(FailureText.Json(error))
                : WebProblems.Result(StatusCodes.Status404NotFound, $"no result for {task} with these arguments (not scheduled, or not done yet)");
        });
        Console.WriteLine($"brrr-demo web: listening on http://{host}:{port}, scheduling on {DemoTasks.Topic}, {environment.Summary}");
        await app.RunAsync();
        return 0;
    }

    /// <summary>The query's arguments for <paramref name="task"/>, or the 404 (unknown task) or 400 that says why not.</summary>
    private static bool TryParse(
        string task, HttpRequest request, long? spawnLimit, [NotNullWhen(true)] out JsonObject? args, [NotNullWhen(false)] out IResult? problem)
    {
        var pairs = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? "")));
        if (DemoArguments.TryParse(task, pairs, spawnLimit, out args, out var bad))
        {
            problem = null;
            return true;
        }

        problem = WebProblems.Result(bad.UnknownTask ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, bad.Message);
        return false;
    }

    private static TaskRef<JsonObject, JsonNode?> Ref(string task) => BrrrTask.Ref<JsonObject, JsonNode?>(task, DemoTasks.Topic);
}
