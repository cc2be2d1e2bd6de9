using System.Numerics;
using Akka.Actor;
using Akka.Configuration;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.DynamoDb;
using Brrr.Redis;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>Redis queue and cache with the DynamoDB store (a real dynalite), two worker ActorSystems.</summary>
public sealed class DynamoWorkflowTests : IClassFixture<DynaliteServer>
{
    private readonly DynaliteServer _dynalite;

    public DynamoWorkflowTests(DynaliteServer dynalite) => _dynalite = dynalite;

    [Fact]
    public async Task Fib_20_and_fib_78_over_redis_and_dynamodb_are_exact()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var settings = DynamoDbStoreSettings.Default with { ServiceUrl = _dynalite.ServiceUrl, Region = "us-east-1", TableName = "brrr-e2e" };
        using var store = DynamoDbStore.Create(settings, new BasicAWSCredentials("dummy", "dummy"));
        await store.EnsureTableAsync();
        var backends = new BrrrBackends(store, redis.Cache, redis.Queue, JsonCodec.Default);
        var config = ConfigurationFactory.ParseString("akka.loglevel = ERROR\nbrrr.poll-timeout = 200ms");
        using var systemA = ActorSystem.Create("dynamo-a", config);
        using var systemB = ActorSystem.Create("dynamo-b", config);
        await using var a = new LocalBrrr(systemA, FibTask.Topics(), backends);
        await using var b = new LocalBrrr(systemB, FibTask.Topics(), backends);

        Assert.Equal(new BigInteger(6765), await a.RunAsync(FibTask.Fib, new FibArgs(20, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(120)));
        Assert.Equal(BigInteger.Parse("8944394323791464"), await b.RunAsync(FibTask.Fib, new FibArgs(78, Guid.NewGuid().ToString("N")), TimeSpan.FromSeconds(240)));
        Assert.True(a.Worker.Statistics.Executions > 0 && b.Worker.Statistics.Executions > 0, "both workers took part");
    }

    [Fact]
    public async Task No_job_of_a_root_runs_once_its_cancel_is_seen_and_a_root_sharing_its_subtree_still_completes_over_redis_and_dynamodb()
    {
        const int parallelism = 4;
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var settings = DynamoDbStoreSettings.Default with { ServiceUrl = _dynalite.ServiceUrl, Region = "us-east-1", TableName = "brrr-e2e-cancel" };
        using var store = DynamoDbStore.Create(settings, new BasicAWSCredentials("dummy", "dummy"));
        await store.EnsureTableAsync();
        var config = ConfigurationFactory.ParseString($"""
            akka.loglevel = ERROR
            brrr.poll-timeout = 200ms
            brrr.cancel-check-interval = 0s
            brrr.topic-defaults.parallelism = {parallelism}
            """);
        using var system = ActorSystem.Create("dynamo-cancel", config);
        var workload = new GatedFanOut();
        await using var brrr = new LocalBrrr(system, workload.Topics(), new BrrrBackends(store, redis.Cache, redis.Queue, JsonCodec.Default));

        await workload.CancelDuringFanOutAsync(brrr.Client, parallelism, () => brrr.Worker.Statistics.Cancelled);
    }
}
