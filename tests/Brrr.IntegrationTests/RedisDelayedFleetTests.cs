using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>Delayed roots under a fleet: three worker systems share one redis-server and its delayed sets.</summary>
public sealed class RedisDelayedFleetTests
{
    private const string Topic = "delayed-fleet";
    private const int Roots = 1000;

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.delayed.poll-interval = 200ms
        brrr.shutdown-timeout = 2s
        """);

    public sealed record Item(int N);

    [Fact]
    public async Task A_thousand_roots_due_at_the_same_time_under_three_workers_each_run_exactly_once_and_not_before_due()
    {
        var runs = new ConcurrentDictionary<int, int>();
        var early = 0;
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        var task = BrrrTask.Create<Item, int>("delayed-item", (_, a) =>
        {
            if (DateTimeOffset.UtcNow < due)
            {
                Interlocked.Increment(ref early);
            }

            runs.AddOrUpdate(a.N, 1, (_, n) => n + 1);
            return Task.FromResult(a.N);
        });
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        var client = backends.CreateClient(BrrrClient.DefaultSpawnLimit);
        await Task.WhenAll(Enumerable.Range(0, Roots).Select(n => client.ScheduleAsync(task, new Item(n), new ScheduleOptions { Topic = Topic, NotBefore = due })));
        Assert.Equal(Roots, await redis.Queue.CountDelayedAsync(Topic));

        var systems = Enumerable.Range(0, 3).Select(i => ActorSystem.Create($"delayed-fleet-{i}", WorkerConfig)).ToArray();
        var workers = systems.Select(s => new LocalBrrr(s, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { [Topic] = new TaskSet(task) }, backends)).ToArray();
        try
        {
            await Eventually.HoldsAsync(
                async () => runs.Count == Roots && await redis.Queue.CountDelayedAsync(Topic) == 0
                    && await redis.Queue.GetStatsAsync(Topic) is { Waiting: 0, InFlight: 0 },
                "every root ran and the queue is empty",
                TimeSpan.FromSeconds(60));

            Assert.All(runs.Values, count => Assert.Equal(1, count));
            Assert.Equal(0, Volatile.Read(ref early));
            Assert.True(workers.Count(w => w.Worker.Statistics.Executions > 0) >= 2, "the roots were spread over the workers");
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            foreach (var system in systems)
            {
                await system.Terminate();
            }
        }
    }
}
