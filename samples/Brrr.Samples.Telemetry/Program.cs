using System.Numerics;
using Brrr;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Tasks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddBrrr("traced-service", options => options.AddTopic("fib-topic", new TaskSet(Fib.Task)));
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddSource(BrrrDiagnostics.Name).AddConsoleExporter())
    .WithMetrics(metrics => metrics.AddMeter(BrrrDiagnostics.Name).AddConsoleExporter());
builder.Services.AddHostedService<OneWorkflow>();
builder.Build().Run();

public static class Fib
{
    public static readonly BrrrTask<int, BigInteger> Task = BrrrTask.Create<int, BigInteger>("fib", async (ctx, n) =>
    {
        if (n < 2) return n;
        var parts = await ctx.Gather(ctx.Call(Task!, n - 1), ctx.Call(Task!, n - 2));
        return parts[0] + parts[1];
    });
}

/// <summary>Runs fib(10) (one trace: its schedule, its wait and every call) and stops the application.</summary>
public sealed class OneWorkflow(IBrrrClient brrr, IHostApplicationLifetime lifetime, ILogger<OneWorkflow> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await brrr.ScheduleAsync(Fib.Task, 10, "fib-topic", stoppingToken);
        var value = await brrr.WaitAsync(Fib.Task, 10, TimeSpan.FromSeconds(30), stoppingToken);
        log.LogInformation("fib(10) = {Value}", value);
        lifetime.StopApplication();
    }
}
