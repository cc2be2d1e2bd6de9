using System.Numerics;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Redis;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>The Akka runtime on the Redis queue, cache and store, against a real redis-server.</summary>
public sealed class RedisWorkflowTests
{
    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.retry-backoff-max = 500ms
        brrr.shutdown-timeout = 2s
        """);

    [Fact]
    public async Task Fib_on_two_worker_systems_over_redis_is_exact()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        using var systemA = ActorSystem.Create("redis-a", WorkerConfig);
        using var systemB = ActorSystem.Create("redis-b", WorkerConfig);
        await using var a = new LocalBrrr(systemA, FibTask.Topics(), backends);
        await using var b = new LocalBrrr(systemB, FibTask.Topics(), backends);

        Assert.Equal(new BigInteger(6765), await a.RunAsync(FibTask.Fib, new FibArgs(20, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
        Assert.Equal(BigInteger.Parse("8944394323791464"), await a.RunAsync(FibTask.Fib, new FibArgs(78, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(120)));
        Assert.True(b.Worker.Statistics.Executions > 0, "the second worker took part");
    }

    [Fact]
    public async Task A_fib_workflow_completes_when_redis_is_killed_and_restarted_in_the_middle()
    {
        using var server = RedisServer.Start(persistent: true);
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        using var system = ActorSystem.Create("redis-restart", WorkerConfig);
        await using var worker = new LocalBrrr(system, FibTask.Topics(), backends);

        var run = worker.RunAsync(FibTask.Fib, new FibArgs(60, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(180));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (worker.Worker.Statistics.Executions < 40 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.False(run.IsCompleted, "the workflow was still running when Redis went away");
        server.Kill();
        await Task.Delay(TimeSpan.FromSeconds(1));
        server.Restart();

        Assert.Equal(BigInteger.Parse("1548008755920"), await run);
    }
}
