using System.Numerics;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Redis;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>The Akka runtime on the Redis queue, cache and store over a real three-primary Redis Cluster.</summary>
public sealed class RedisClusterWorkflowTests
{
    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.retry-backoff-max = 500ms
        brrr.shutdown-timeout = 2s
        """);

    [Fact]
    public async Task Fib_on_two_worker_systems_over_a_redis_cluster_is_exact()
    {
        using var cluster = RedisClusterServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = cluster.Configuration });
        var backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        using var systemA = ActorSystem.Create("redis-cluster-a", WorkerConfig);
        using var systemB = ActorSystem.Create("redis-cluster-b", WorkerConfig);
        await using var a = new LocalBrrr(systemA, FibTask.Topics(), backends);
        await using var b = new LocalBrrr(systemB, FibTask.Topics(), backends);

        Assert.Equal(new BigInteger(6765), await a.RunAsync(FibTask.Fib, new FibArgs(20, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
        Assert.Equal(BigInteger.Parse("8944394323791464"), await a.RunAsync(FibTask.Fib, new FibArgs(78, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(120)));
        Assert.True(b.Worker.Statistics.Executions > 0, "the second worker took part");
        Assert.Equal(0, a.Worker.Statistics.Failed + b.Worker.Statistics.Failed);
    }
}
