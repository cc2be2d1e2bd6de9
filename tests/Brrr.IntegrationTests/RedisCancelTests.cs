using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Redis;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>Cascading cancel by root with the Redis queue, cache and store, in both key layouts.</summary>
public sealed class RedisCancelTests
{
    private const int Parallelism = 4;

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString($"""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.shutdown-timeout = 2s
        brrr.cancel-check-interval = 0s
        brrr.topic-defaults.parallelism = {Parallelism}
        """);

    [Theory]
    [InlineData(RedisLayout.Current)]
    [InlineData(RedisLayout.Legacy)]
    public async Task No_job_of_a_root_runs_once_its_cancel_is_seen_and_a_root_sharing_its_subtree_still_completes(RedisLayout layout)
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration, Layout = layout });
        using var system = ActorSystem.Create("redis-cancel", WorkerConfig);
        var workload = new GatedFanOut();
        await using var brrr = new LocalBrrr(system, workload.Topics(), new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));

        await workload.CancelDuringFanOutAsync(brrr.Client, Parallelism, () => brrr.Worker.Statistics.Cancelled);
    }
}
