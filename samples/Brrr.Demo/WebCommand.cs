using System.Text.Json.Nodes;
using Brrr.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Brrr.Demo;

/// <summary>
/// <c>web</c>: the reference demo's HTTP shape. <c>POST /{task}?k=v</c> schedules (202), <c>GET /{task}?k=v</c>
/// reads (200 with the result; 404 for an unknown task or a missing result; 400 for bad arguments). Query
/// values are strings, as in the reference demo, so the same call hashes come out of every language's web.
/// </summary>
public static class WebCommand
{
    /// <summary>Serves until stopped (Ctrl+C, SIGTERM).</summary>
    public static async Task<int> RunAsync(ILookup<string, string> options)
    {
        var host = Environment.GetEnvironmentVariable("BRRR_DEMO_LISTEN_HOST") is { Length: > 0 } h ? h : "127.0.0.1";
        var port = Environment.GetEnvironmentVariable("BRRR_DEMO_LISTEN_PORT") is { Length: > 0 } p ? p : "8080";
        await using var environment = await DemoEnvironment.ConnectAsync(Cli.LoadConfig(options));
        var client = environment.Backends.CreateClient();
        var known = DemoTasks.All(Cli.OpsTopic());

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        app.MapPost("/{task}", async (string task, HttpRequest request) =>
        {
            if (Check(known, task, request) is { } problem)
            {
                return problem;
            }

            await client.ScheduleAsync(Ref(task), Arguments(request));
            return Results.Json(new JsonObject { ["status"] = "accepted" }, statusCode: StatusCodes.Status202Accepted);
        });
        app.MapGet("/{task}", async (string task, HttpRequest request) =>
        {
            if (Check(known, task, request) is { } problem)
            {
                return problem;
            }

            var result = await client.ReadAsync(Ref(task), Arguments(request));
            return result.Found
                ? Results.Json(new JsonObject { ["status"] = "ok", ["result"] = result.Value?.DeepClone() })
                : Error(StatusCodes.Status404NotFound, $"no result for {task} with these arguments (not scheduled, or not done yet)");
        });
        Console.WriteLine($"brrr-demo web: listening on http://{host}:{port}, scheduling on {DemoTasks.Topic}, store: {environment.StoreName}");
        await app.RunAsync();
        return 0;
    }

    private static IResult? Check(TaskSet known, string task, HttpRequest request)
    {
        if (known.Find(task) is null)
        {
            return Error(StatusCodes.Status404NotFound, $"unknown task '{task}'");
        }

        return DemoTasks.Invalid(task, Arguments(request)) is { } problem ? Error(StatusCodes.Status400BadRequest, problem) : null;
    }

    private static TaskRef<JsonObject, JsonNode?> Ref(string task) => BrrrTask.Ref<JsonObject, JsonNode?>(task, DemoTasks.Topic);

    private static JsonObject Arguments(HttpRequest request)
    {
        var args = new JsonObject();
        foreach (var (key, values) in request.Query)
        {
            args[key] = values.ToString();
        }

        return args;
    }

    private static IResult Error(int status, string message) => Results.Json(new JsonObject { ["error"] = message }, statusCode: status);
}
