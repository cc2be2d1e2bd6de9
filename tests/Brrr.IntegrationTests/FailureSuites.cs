using Akka.Actor;
using Akka.Configuration;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.DynamoDb;
using Brrr.Redis;

namespace Brrr.IntegrationTests;

/// <summary>The failure suite with every backend on a real redis-server (one per test).</summary>
public sealed class RedisFailureTests : FailureContract
{
    protected override Task<FailureHost> StartAsync() => FailureHosts.StartAsync(Tasks, Topic, redis => new(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));

    [Fact]
    public async Task The_error_record_lives_at_brrr_hash_error_next_to_the_value_key()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var record = new ErrorRecord("boom", "h" + Guid.NewGuid().ToString("N"), "System.InvalidOperationException", "kaput", 1, DateTimeOffset.UtcNow, "root", []);

        await new Memory(redis.Store).SetErrorAndSendReturnsAsync(record, _ => Task.CompletedTask);

        var database = redis.Multiplexer.GetDatabase();
        Assert.Equal(record, ErrorRecord.Decode((byte[])(await database.StringGetAsync($"brrr:{{{record.CallHash}}}:error"))!) with { Causes = record.Causes });
        Assert.False(await database.KeyExistsAsync($"brrr:{{{record.CallHash}}}:value"));
    }
}

/// <summary>The delay suite with every backend on a real redis-server (one per test): delayed roots, retries waiting in the queue.</summary>
public sealed class RedisDelayedCallTests : DelayContract
{
    protected override Task<FailureHost> StartAsync() =>
        FailureHosts.StartAsync(Tasks, Topic, redis => new(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default), ConfigurationFactory.ParseString(WorkerHocon));
}

/// <summary>The failure suite with the DynamoDB store (a real dynalite) and the Redis queue and cache.</summary>
public sealed class DynamoFailureTests : FailureContract, IClassFixture<DynaliteServer>
{
    private readonly DynaliteServer _dynalite;

    public DynamoFailureTests(DynaliteServer dynalite) => _dynalite = dynalite;

    protected override async Task<FailureHost> StartAsync()
    {
        var settings = DynamoDbStoreSettings.Default with { ServiceUrl = _dynalite.ServiceUrl, Region = "us-east-1", TableName = "brrr-failures" };
        var store = DynamoDbStore.Create(settings, new BasicAWSCredentials("dummy", "dummy"));
        await store.EnsureTableAsync();
        var host = await FailureHosts.StartAsync(Tasks, Topic, redis => new(store, redis.Cache, redis.Queue, JsonCodec.Default));
        return host with { Worker = new FailureHosts.Stopper(() => host.Worker.DisposeAsync().AsTask(), store.Dispose) };
    }
}

/// <summary>Starts a worker ActorSystem on a fresh redis-server for the failure suites.</summary>
internal static class FailureHosts
{
    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.retry-backoff-min = 10ms
        brrr.retry-backoff-max = 50ms
        brrr.task-attempts = 2
        brrr.shutdown-timeout = 2s
        """);

    public static async Task<FailureHost> StartAsync(Brrr.Tasks.TaskSet tasks, string topic, Func<RedisBrrr, BrrrBackends> backendsOf, Config? config = null)
    {
        var server = RedisServer.Start();
        var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        return Start(tasks, topic, backendsOf(redis), config, () => redis.DisposeAsync(), server.Dispose);
    }

    /// <summary>
    /// A worker system serving <paramref name="tasks"/> on <paramref name="backends"/>, and a client on them; stopping it
    /// stops the worker and the system, then runs <paramref name="close"/> and <paramref name="release"/>.
    /// </summary>
    public static FailureHost Start(Brrr.Tasks.TaskSet tasks, string topic, BrrrBackends backends, Config? config, Func<ValueTask> close, Action release)
    {
        var system = ActorSystem.Create("failures", config is null ? WorkerConfig : config.WithFallback(WorkerConfig));
        var worker = BrrrExtension.Get(system).StartWorker(backends, topic, tasks);
        var client = new BrrrClient(backends.Store, backends.Cache, backends.Queue, backends.Codec);
        return new FailureHost(client, new Stopper(
            async () =>
            {
                await worker.StopAsync();
                await system.Terminate();
                await close();
            },
            release));
    }

    /// <summary>Runs <paramref name="stop"/>, then <paramref name="release"/>.</summary>
    public sealed class Stopper(Func<Task> stop, Action release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await stop();
            }
            finally
            {
                release();
            }
        }
    }
}
