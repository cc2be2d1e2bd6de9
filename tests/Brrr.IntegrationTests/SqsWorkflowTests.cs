using Akka.Actor;
using Akka.Configuration;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.DynamoDb;
using Brrr.Sqs;

namespace Brrr.IntegrationTests;

/// <summary>Backends on the fixtures' fauxqs (SQS) and dynalite (DynamoDB), with no Redis at all.</summary>
internal static class SqsDynamo
{
    public static readonly BasicAWSCredentials Credentials = new("dummy", "dummy");

    /// <summary>A queue on <paramref name="sqs"/> whose queue names no other test uses.</summary>
    public static SqsQueue Queue(FauxqsServer sqs) =>
        SqsQueue.Create(SqsQueueSettings.Default with { ServiceUrl = sqs.ServiceUrl, Region = "us-east-1", QueueNamePrefix = $"t{Guid.NewGuid():N}-"[..20] }, Credentials);

    /// <summary>A store on a fresh table of <paramref name="dynamo"/>.</summary>
    public static async Task<DynamoDbStore> StoreAsync(DynaliteServer dynamo)
    {
        var settings = DynamoDbStoreSettings.Default with { ServiceUrl = dynamo.ServiceUrl, Region = "us-east-1", TableName = $"brrr-sqs-{Guid.NewGuid():N}" };
        var store = DynamoDbStore.Create(settings, Credentials);
        await store.EnsureTableAsync();
        return store;
    }
}

/// <summary>The Akka runtime on SQS and DynamoDB: the queue of issue 17's "past one Redis".</summary>
public sealed class SqsWorkflowTests(FauxqsServer sqs, DynaliteServer dynamo) : IClassFixture<FauxqsServer>, IClassFixture<DynaliteServer>
{
    [Fact]
    public async Task Fib_on_two_worker_systems_over_sqs_and_dynamodb_is_exact_and_leaves_the_queue_empty()
    {
        await using var queue = SqsDynamo.Queue(sqs);
        using var store = await SqsDynamo.StoreAsync(dynamo);
        var backends = new BrrrBackends(store, new InMemoryCache(), queue, JsonCodec.Default);

        Assert.Equal(0, await RedisWorkflowTests.TwoWorkerFibAsync(backends, "sqs"));
        await Eventually.HoldsAsync(
            async () => await queue.GetStatsAsync(FibTask.Topic) == new QueueStats(FibTask.Topic, 0, 0),
            "every message of the workflow was deleted");
    }
}

/// <summary>The delay suite on the SQS queue: delayed roots and retries ride on SQS's own DelaySeconds.</summary>
public sealed class SqsDelayedCallTests(FauxqsServer sqs) : DelayContract, IClassFixture<FauxqsServer>
{
    protected override Task<FailureHost> StartAsync()
    {
        var queue = SqsDynamo.Queue(sqs);
        var backends = new BrrrBackends(new InMemoryStore(), new InMemoryCache(), queue, JsonCodec.Default);
        var system = ActorSystem.Create("sqs-delays", ConfigurationFactory.ParseString(WorkerHocon).WithFallback(ConfigurationFactory.ParseString("akka.loglevel = ERROR\nbrrr.shutdown-timeout = 2s")));
        var worker = BrrrExtension.Get(system).StartWorker(backends, Topic, Tasks);
        var client = new BrrrClient(backends.Store, backends.Cache, backends.Queue, backends.Codec);
        return Task.FromResult(new FailureHost(client, new FailureHosts.Stopper(
            async () =>
            {
                await worker.StopAsync();
                await system.Terminate();
                await queue.DisposeAsync();
            },
            () => { })));
    }
}
