using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>
/// A fleet-wide rate limit under three workers, in memory and on a real redis-server: every call over the limit is
/// delayed, none lost or failed, and the calls' starts are spread at no more than the limit. Bounds, not timings.
/// </summary>
public sealed class RateLimitFleetTests
{
    private const string Topic = "limited";

    public static TheoryData<string> Backends => new() { "memory", "redis" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_topic_limit_of_20_per_second_holds_across_three_workers_and_delays_every_call_over_it_without_losing_one(string backend)
    {
        const int calls = 60;
        var starts = new ConcurrentDictionary<int, DateTimeOffset>();
        var work = BrrrTask.Create<int, int>("work", (_, n) =>
        {
            starts.TryAdd(n, DateTimeOffset.UtcNow);
            return Task.FromResult(n);
        });
        await using var fleet = await Fleet.StartAsync(backend, $"brrr.topics.{Topic}.rate-limit = \"20/s\"", new TaskSet(work));

        for (var n = 0; n < calls; n++)
        {
            await fleet.Workers[0].Client.ScheduleAsync(fleet.Backends.Codec.EncodeCall("work", n), Topic);
        }

        await Eventually.HoldsAsync(async () => (await Task.WhenAll(Enumerable.Range(0, calls).Select(n => fleet.Workers[0].ReadAsync(work, n)))).All(r => r.Found),
            "every call's value is stored", TimeSpan.FromSeconds(60));

        Assert.Equal(calls, starts.Count);
        Assert.All(fleet.Workers, worker => Assert.Empty(worker.Failures));
        Assert.True(fleet.Workers.Sum(w => w.Worker.Statistics.Throttled) >= calls - 1, "the calls over the limit were put off");
        Assert.True(fleet.Workers.Count(w => w.Executions.GetValueOrDefault("work") > 0) >= 2, "more than one worker ran calls");
        // 60 calls at 20/s (burst 1) are spaced by 50 ms: the first and the last start at least 59 x 50 ms apart.
        var span = starts.Values.Max() - starts.Values.Min();
        Assert.True((calls - 1) / span.TotalSeconds <= 20 * 1.1, $"{calls} calls started within {span}: over 20/s");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_task_limit_throttles_only_that_task(string backend)
    {
        var starts = new ConcurrentDictionary<(string, int), DateTimeOffset>();
        BrrrTask<int, int> Recording(string name) => BrrrTask.Create<int, int>(name, (_, n) =>
        {
            starts.TryAdd((name, n), DateTimeOffset.UtcNow);
            return Task.FromResult(n);
        });
        var (slow, fast) = (Recording("slow"), Recording("fast"));
        await using var fleet = await Fleet.StartAsync(backend, "brrr.tasks.slow.rate-limit = \"5/s\"", new TaskSet(slow, fast));

        for (var n = 0; n < 15; n++)
        {
            await fleet.Workers[0].Client.ScheduleAsync(fleet.Backends.Codec.EncodeCall("slow", n), Topic);
            await fleet.Workers[0].Client.ScheduleAsync(fleet.Backends.Codec.EncodeCall("fast", n), Topic);
            await fleet.Workers[0].Client.ScheduleAsync(fleet.Backends.Codec.EncodeCall("fast", n + 15), Topic);
        }

        await Eventually.HoldsAsync(() => starts.Count == 45, "every call ran", TimeSpan.FromSeconds(60));

        Assert.All(fleet.Workers, worker => Assert.Empty(worker.Failures));
        var slowStarts = starts.Where(s => s.Key.Item1 == "slow").Select(s => s.Value).ToArray();
        var fastStarts = starts.Where(s => s.Key.Item1 == "fast").Select(s => s.Value).ToArray();
        Assert.True(14 / (slowStarts.Max() - slowStarts.Min()).TotalSeconds <= 5 * 1.1, "the slow task keeps to 5/s");
        Assert.True(fastStarts.Max() < slowStarts.Max(), "the fast task, not limited, is done before the slow one");
    }

    /// <summary>Three workers, each in its own ActorSystem, on shared in-memory backends or on a redis-server of their own.</summary>
    private sealed class Fleet(BrrrBackends backends, RedisServer? server, RedisBrrr? redis, ActorSystem[] systems, LocalBrrr[] workers) : IAsyncDisposable
    {
        public BrrrBackends Backends { get; } = backends;

        public LocalBrrr[] Workers { get; } = workers;

        public static async Task<Fleet> StartAsync(string backend, string hocon, TaskSet tasks)
        {
            RedisServer? server = null;
            RedisBrrr? redis = null;
            BrrrBackends backends;
            if (backend == "memory")
            {
                backends = BrrrBackends.InMemory();
            }
            else
            {
                server = RedisServer.Start();
                redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
                backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
            }

            var config = ConfigurationFactory.ParseString(hocon + """

                akka.loglevel = OFF
                brrr.poll-timeout = 200ms
                brrr.shutdown-timeout = 0s
                brrr.delayed.poll-interval = 200ms
                """);
            var systems = Enumerable.Range(0, 3).Select(i => ActorSystem.Create($"rate-{i}", config)).ToArray();
            var topics = new Dictionary<string, TaskSet>(StringComparer.Ordinal) { [Topic] = tasks };
            return new Fleet(backends, server, redis, systems, [.. systems.Select(system => new LocalBrrr(system, topics, backends))]);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var worker in Workers)
            {
                await worker.DisposeAsync();
            }

            foreach (var system in systems)
            {
                await system.Terminate();
            }

            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            server?.Dispose();
        }
    }
}
