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
    internal static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.retry-backoff-max = 500ms
        brrr.shutdown-timeout = 2s
        """);

    internal static readonly BigInteger Fib60 = BigInteger.Parse("1548008755920", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Fib_on_two_worker_systems_over_redis_is_exact()
    {
        using var server = RedisServer.Start();
        await TwoWorkerFibAsync(server.Configuration, "redis");
    }

    [Fact]
    public async Task Fib_on_two_worker_systems_over_redis_with_children_records_is_exact_and_fails_nothing()
    {
        // With children records, either worker may skip a parent's job that the other saw defer (fleet-wide debounce).
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var config = ConfigurationFactory.ParseString("brrr.children-record = on").WithFallback(WorkerConfig);
        Assert.Equal(0, await TwoWorkerFibAsync(Backends(redis), "redis-records", config));
    }

    /// <summary>
    /// fib(20) and fib(78) on two worker systems sharing the Redis at <paramref name="configuration"/>: both exact, the
    /// second worker taking part. Returns the calls the two workers failed.
    /// </summary>
    internal static async Task<long> TwoWorkerFibAsync(string configuration, string systemPrefix)
    {
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = configuration });
        return await TwoWorkerFibAsync(Backends(redis), systemPrefix);
    }

    /// <summary>
    /// fib(20) and fib(78) on two worker systems sharing <paramref name="backends"/>, as above (with <paramref name="config"/>,
    /// default <see cref="WorkerConfig"/>); <paramref name="whileRunning"/>, if given, is awaited once both are exact, before
    /// the workers stop (a wake-up that comes after the root's value, e.g. a parent's second one, is still theirs to settle).
    /// </summary>
    internal static async Task<long> TwoWorkerFibAsync(BrrrBackends backends, string systemPrefix, Config? config = null, Func<Task>? whileRunning = null)
    {
        using var systemA = ActorSystem.Create(systemPrefix + "-a", config ?? WorkerConfig);
        using var systemB = ActorSystem.Create(systemPrefix + "-b", config ?? WorkerConfig);
        await using var a = new LocalBrrr(systemA, FibTask.Topics(), backends);
        await using var b = new LocalBrrr(systemB, FibTask.Topics(), backends);

        Assert.Equal(new BigInteger(6765), await a.RunAsync(FibTask.Fib, new FibArgs(20, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
        Assert.Equal(BigInteger.Parse("8944394323791464"), await a.RunAsync(FibTask.Fib, new FibArgs(78, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(120)));
        Assert.True(b.Worker.Statistics.Executions > 0, "the second worker took part");
        if (whileRunning is not null)
        {
            await whileRunning();
        }

        return a.Worker.Statistics.Failed + b.Worker.Statistics.Failed;
    }

    [Fact]
    public async Task A_fib_workflow_completes_when_redis_is_killed_and_restarted_in_the_middle()
    {
        using var server = RedisServer.Start(persistent: true);
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        await using var workflow = await HeldFib60.StartAsync(redis, "redis-restart");

        server.Kill();
        await Eventually.HoldsAsync(() => !redis.Multiplexer.IsConnected, "the worker's connection noticed that Redis is gone");
        Assert.False(workflow.Run.IsCompleted, "the workflow finished although fib(30) was held");
        server.Restart();
        workflow.Open();

        Assert.Equal(Fib60, await workflow.Run);
        Assert.Equal(0, workflow.Worker.Worker.Statistics.Failed);
    }

    [Fact]
    public async Task A_fib_workflow_keeps_going_through_a_multi_second_redis_stall_and_loses_nothing()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration + ",asyncTimeout=1000" });
        await using var workflow = await HeldFib60.StartAsync(redis, "redis-stall");

        // Redis stalls four times the command timeout; the held call goes on meanwhile, so its store effects meet
        // the stall, time out, and its message goes back to the queue for a retry.
        server.Pause(TimeSpan.FromSeconds(4));
        workflow.Open();

        Assert.Equal(Fib60, await workflow.Run);
        var failures = workflow.Worker.Failures;
        Assert.Contains(failures, f => f.Released && f.Error is RedisTimeoutException);
        Assert.DoesNotContain(failures, f => !f.Released);
        Assert.Equal(0, workflow.Worker.Worker.Statistics.Failed);
        var drained = new QueueStats(FibTask.Topic, 0, 0);
        await Eventually.HoldsAsync(async () => await redis.Queue.GetStatsAsync(FibTask.Topic) == drained, "no message waits or stays in flight");
    }

    internal static BrrrBackends Backends(RedisBrrr redis) => new(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);

    /// <summary>
    /// fib(60) on a worker in an ActorSystem of its own, whose first run of fib(30) waits at a gate until
    /// <see cref="Open"/>: every fib(n &gt; 30) needs fib(30), so the workflow provably cannot finish before the gate
    /// opens, while the calls below 30 keep Redis busy.
    /// </summary>
    private sealed class HeldFib60 : IAsyncDisposable
    {
        private const int HeldN = 30;
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ActorSystem _system;
        private int _taken;

        private HeldFib60(RedisBrrr redis, string systemName)
        {
            var fib = FibTask.Create(BeforeRunAsync);
            _system = ActorSystem.Create(systemName, WorkerConfig);
            Worker = new LocalBrrr(_system, FibTask.Topics(fib), Backends(redis));
            Run = Worker.RunAsync(fib, new FibArgs(60, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(180));
        }

        public LocalBrrr Worker { get; }

        /// <summary>The workflow's result.</summary>
        public Task<BigInteger> Run { get; }

        /// <summary>Starts the workflow and returns once fib(30) waits at the gate.</summary>
        public static async Task<HeldFib60> StartAsync(RedisBrrr redis, string systemName)
        {
            var workflow = new HeldFib60(redis, systemName);
            try
            {
                await workflow._reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return workflow;
            }
            catch
            {
                await workflow.DisposeAsync();
                throw;
            }
        }

        public void Open() => _open.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            Open();
            await Worker.DisposeAsync();
            _system.Dispose();
        }

        private Task BeforeRunAsync(FibArgs args) =>
            args.N == HeldN && Interlocked.Exchange(ref _taken, 1) == 0 ? HoldAsync() : Task.CompletedTask;

        private async Task HoldAsync()
        {
            _reached.TrySetResult();
            await _open.Task;
        }
    }
}
