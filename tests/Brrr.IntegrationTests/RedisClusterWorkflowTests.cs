using System.Net;
using System.Numerics;
using Akka.Actor;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.Redis;
using Brrr.TestKit;

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

    [Fact]
    public async Task A_fib_workflow_on_two_worker_systems_completes_when_a_persistent_master_is_killed_and_restarted()
    {
        using var cluster = RedisClusterServer.Start(persistent: true);
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = cluster.Configuration });
        await using var fleet = await HeldFleet.StartAsync(redis, "cluster-kill-aof", TimeSpan.FromSeconds(180));

        var victim = await KillQueuePrimaryAsync(cluster, redis);
        Assert.False(fleet.Run.IsCompleted, "the workflow finished although fib(30) was held");
        cluster.Restart(victim);
        fleet.Open();

        Assert.Equal(RedisWorkflowTests.Fib60, await fleet.Run);
        Assert.Equal(0, fleet.Failed);
    }

    [Fact]
    public async Task Workers_survive_a_master_that_comes_back_empty_and_complete_new_roots()
    {
        using var cluster = RedisClusterServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = cluster.Configuration });
        await using var fleet = await HeldFleet.StartAsync(redis, "cluster-kill-empty", TimeSpan.FromSeconds(60));

        // The primary comes back with its node file, so with its slots, but without its keys: the topic list, the
        // messages waiting in it and the records of that shard are gone. Whether the held root can still finish
        // depends on which of its records and messages were there, and a message whose call record was lost is
        // dead-lettered (README, "When a master dies"), so neither is asserted; what is: both workers carry on, and
        // roots scheduled after the restart complete.
        var victim = await KillQueuePrimaryAsync(cluster, redis);
        cluster.Restart(victim);
        fleet.Open();

        Assert.Equal(new BigInteger(6765), await fleet.A.RunAsync(FibTask.Fib, new FibArgs(20, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
        Assert.Equal(new BigInteger(10946), await fleet.B.RunAsync(FibTask.Fib, new FibArgs(21, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// SIGKILLs the primary of the fib topic's list (so its queue and the in-flight bookkeeping go down with it, the
    /// worst primary to lose) and returns its index once the client has noticed.
    /// </summary>
    private static async Task<int> KillQueuePrimaryAsync(RedisClusterServer cluster, RedisBrrr redis)
    {
        var endpoint = (IPEndPoint)redis.Multiplexer.GetDatabase().IdentifyEndpoint(RedisLayout.Current.TopicList(FibTask.Topic))!;
        var victim = cluster.Ports.ToList().IndexOf(endpoint.Port);
        cluster.Kill(victim);
        await Eventually.HoldsAsync(() => !redis.Multiplexer.GetServer(endpoint).IsConnected, "the workers' connection noticed that the primary is gone");
        return victim;
    }

    /// <summary>
    /// fib(60) on two worker systems that both serve the same fib, whose first run of fib(30), on either, waits at a gate
    /// until <see cref="Open"/>: every fib(n &gt; 30) needs fib(30), so the workflow provably cannot finish before the
    /// gate opens, while both workers keep running the calls below 30.
    /// </summary>
    private sealed class HeldFleet : IAsyncDisposable
    {
        private const int HeldN = 30;
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ActorSystem _systemA;
        private readonly ActorSystem _systemB;
        private int _taken;

        private HeldFleet(RedisBrrr redis, string systemPrefix, TimeSpan timeout)
        {
            var fib = FibTask.Create(BeforeRunAsync);
            _systemA = ActorSystem.Create(systemPrefix + "-a", RedisWorkflowTests.WorkerConfig);
            _systemB = ActorSystem.Create(systemPrefix + "-b", RedisWorkflowTests.WorkerConfig);
            A = new LocalBrrr(_systemA, FibTask.Topics(fib), RedisWorkflowTests.Backends(redis));
            B = new LocalBrrr(_systemB, FibTask.Topics(fib), RedisWorkflowTests.Backends(redis));
            Run = A.RunAsync(fib, new FibArgs(60, Guid.NewGuid().ToString("N")), timeout);
        }

        public LocalBrrr A { get; }

        public LocalBrrr B { get; }

        /// <summary>The held root's result.</summary>
        public Task<BigInteger> Run { get; }

        /// <summary>The calls the two workers failed for good.</summary>
        public long Failed => A.Worker.Statistics.Failed + B.Worker.Statistics.Failed;

        /// <summary>Starts the workflow and returns once fib(30) waits at the gate.</summary>
        public static async Task<HeldFleet> StartAsync(RedisBrrr redis, string systemPrefix, TimeSpan timeout)
        {
            var fleet = new HeldFleet(redis, systemPrefix, timeout);
            try
            {
                await fleet._reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return fleet;
            }
            catch
            {
                await fleet.DisposeAsync();
                throw;
            }
        }

        public void Open() => _open.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            Open();
            await A.DisposeAsync();
            await B.DisposeAsync();
            _systemA.Dispose();
            _systemB.Dispose();
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
