using System.Numerics;
using Brrr;
using Brrr.Akka.Hosting;
using Brrr.Tasks;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddBrrr("my-service", options =>   // the ActorSystem, a worker in it, and its IBrrrClient in DI
{
    options.AddTopic("fib-topic", new TaskSet(Fib.Task), parallelism: 16);
    options.Bind(builder.Configuration.GetSection("Brrr"));   // appsettings.json, or environment variables such as Brrr__SpawnLimit
});
builder.Services.AddHostedService<FibOnStart>();
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

public sealed class FibOnStart(IBrrrClient brrr, ILogger<FibOnStart> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await brrr.ScheduleAsync(Fib.Task, 25, "fib-topic", stoppingToken);
        var value = await brrr.WaitAsync(Fib.Task, 25, TimeSpan.FromSeconds(30), stoppingToken);
        log.LogInformation("fib(25) = {Value}", value);
    }
}
