using Brrr.Contracts.Servers;

namespace Brrr.IntegrationTests;

/// <summary>The Akka runtime on the Redis queue, cache and store over a real three-primary Redis Cluster.</summary>
public sealed class RedisClusterWorkflowTests
{
    [Fact]
    public async Task Fib_on_two_worker_systems_over_a_redis_cluster_is_exact()
    {
        using var cluster = RedisClusterServer.Start();
        Assert.Equal(0, await RedisWorkflowTests.TwoWorkerFibAsync(cluster.Configuration, "redis-cluster"));
    }
}
