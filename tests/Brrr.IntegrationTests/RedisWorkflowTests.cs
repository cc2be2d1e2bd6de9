using System.Globalization;
using System.Numerics;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Redis;
using Brrr.TestKit;
using StackExchange.Redis;

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

    private static readonly BigInteger Fib60 = BigInteger.Parse("1548008755920", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Fib_on_two_worker_systems_over_redis_is_exact()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var backends = Backends(redis);
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
        var held = new HeldCall(30);
        var fib = FibTask.Create(held.BeforeRunAsync);
        using var system = ActorSystem.Create("redis-restart", WorkerConfig);
        await using var worker = new LocalBrrr(system, FibTask.Topics(fib), Backends(redis));

        var run = worker.RunAsync(fib, new FibArgs(60, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(180));
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // fib(30) waits at the gate and every fib(n > 30) needs it: the workflow cannot finish before the gate opens,
        // while the calls below 30 keep Redis busy.
        server.Kill();
        await Eventually.HoldsAsync(() => !redis.Multiplexer.IsConnected, "the worker's connection noticed that Redis is gone");
        Assert.False(run.IsCompleted, "the workflow finished although fib(30) was held");
        server.Restart();
        held.Open();

        Assert.Equal(Fib60, await run);
        Assert.Equal(0, worker.Worker.Statistics.Failed);
    }

    [Fact]
    public async Task A_fib_workflow_keeps_going_through_a_multi_second_redis_stall_and_loses_nothing()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration + ",asyncTimeout=1000" });
        var held = new HeldCall(30);
        var fib = FibTask.Create(held.BeforeRunAsync);
        using var system = ActorSystem.Create("redis-stall", WorkerConfig);
        await using var worker = new LocalBrrr(system, FibTask.Topics(fib), Backends(redis));

        var run = worker.RunAsync(fib, new FibArgs(60, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(180));
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Redis stalls four times the command timeout; the held call goes on meanwhile, so its store effects meet
        // the stall, time out, and its message goes back to the queue for a retry.
        server.Pause(TimeSpan.FromSeconds(4));
        held.Open();

        Assert.Equal(Fib60, await run);
        Assert.Contains(worker.Failures, f => f.Released && f.Error is RedisTimeoutException);
        Assert.DoesNotContain(worker.Failures, f => !f.Released);
        Assert.Equal(0, worker.Worker.Statistics.Failed);
        var drained = new QueueStats(FibTask.Topic, 0, 0);
        await Eventually.HoldsAsync(async () => await redis.Queue.GetStatsAsync(FibTask.Topic) == drained, "no message waits or stays in flight");
    }

    private static BrrrBackends Backends(RedisBrrr redis) => new(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);

    /// <summary>Holds the first run of fib(<c>n</c>) at a gate until <see cref="Open"/>.</summary>
    private sealed class HeldCall(int n)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _taken;

        /// <summary>Completes when the held run has started.</summary>
        public Task Reached => _reached.Task;

        public void Open() => _open.TrySetResult();

        public Task BeforeRunAsync(FibArgs args) =>
            args.N == n && Interlocked.Exchange(ref _taken, 1) == 0 ? HoldAsync() : Task.CompletedTask;

        private async Task HoldAsync()
        {
            _reached.TrySetResult();
            await _open.Task;
        }
    }
}
