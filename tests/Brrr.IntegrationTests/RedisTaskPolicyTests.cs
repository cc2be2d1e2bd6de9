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

/// <summary>Per-task attempts counted in Redis: a policy holds across workers and restarts.</summary>
public sealed class RedisTaskPolicyTests
{
    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.poll-timeout = 200ms
        brrr.task-attempts = 3
        brrr.shutdown-timeout = 0s
        """);

    private static readonly TaskOptions Quick = new() { BackoffMin = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task Two_workers_over_redis_give_a_failing_call_three_attempts_in_all_not_three_each()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        var runs = new int[2];
        var call = backends.Codec.EncodeCall("flaky", 1);
        var key = $"{RedisBrrrSettings.Default.KeyPrefix}{{{call.CallHash}}}:attempts";
        using var systemA = ActorSystem.Create("policy-a", WorkerConfig);
        using var systemB = ActorSystem.Create("policy-b", WorkerConfig);
        var slow = new TaskOptions { BackoffMin = TimeSpan.FromSeconds(3), BackoffMax = TimeSpan.FromSeconds(3) };
        var a = new LocalBrrr(systemA, Topic(Failing(runs, 0, slow)), backends);
        await a.Client.ScheduleAsync(call, "t", BrrrClient.NewRootId());
        await Eventually.HoldsAsync(async () => (long)await redis.Multiplexer.GetDatabase().StringGetAsync(key) == 1, "the first worker counted one failed run in Redis");

        // The first worker stops while the message waits out its backoff in the queue (longer than
        // brrr.delayed.poll-interval); the second one takes it once it is due.
        await a.DisposeAsync();
        await using var b = new LocalBrrr(systemB, Topic(Failing(runs, 1, Quick)), backends);
        await Eventually.HoldsAsync(() => b.Failures.Any(f => !f.Released), "the call failed for good on the second worker");

        Assert.Equal([1, 2], runs);
        Assert.Equal([2, 3], b.Failures.Select(f => f.Attempt));
        Assert.False(await redis.Multiplexer.GetDatabase().KeyExistsAsync(key), "a call that failed for good clears its count");
    }

    [Fact]
    public async Task A_non_retryable_exception_over_redis_is_tried_once()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        using var system = ActorSystem.Create("policy", WorkerConfig);
        var runs = new int[1];
        var task = Failing(runs, 0, TaskOptions.NeverRetry(typeof(InvalidOperationException)));
        await using var brrr = new LocalBrrr(system, Topic(task), new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(task, 1));

        Assert.Equal((1, 1), (runs[0], failed.Failure.Attempt));
    }

    private static Dictionary<string, TaskSet> Topic(ITaskHandler task) => new(StringComparer.Ordinal) { ["t"] = new TaskSet(task) };

    private static BrrrTask<int, int> Failing(int[] runs, int slot, TaskOptions options) =>
        BrrrTask.Create<int, int>("flaky", (_, _) =>
        {
            Interlocked.Increment(ref runs[slot]);
            throw new InvalidOperationException("down");
        }, options);
}
