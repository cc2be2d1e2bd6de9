using Akka.Actor;
using Akka.Configuration;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.DynamoDb;
using Brrr.Sqs;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>
/// No Redis at all: the SQS queue (a real fauxqs) with the DynamoDB store and cache (a real dynalite) run workflows,
/// cancel roots and tick recurring schedules. Each test has its own table and queues.
/// </summary>
public sealed class SqsDynamoFleetTests(DynaliteServer dynalite, FauxqsServer fauxqs) : IClassFixture<DynaliteServer>, IClassFixture<FauxqsServer>
{
    private static readonly BasicAWSCredentials s_credentials = new("dummy", "dummy");

    [Fact]
    public async Task Fib_on_two_workers_over_sqs_and_a_dynamodb_store_and_cache_is_exact_and_leaves_every_queue_empty()
    {
        await using var aws = await AwsBackends.StartAsync(dynalite, fauxqs);

        // Checked while the workers still run: one may still hold a parent's late wake-up when the root's value is there.
        var drained = new QueueStats(FibTask.Topic, 0, 0);
        Assert.Equal(0, await RedisWorkflowTests.TwoWorkerFibAsync(aws.Backends, "sqs-dynamo", whileRunning: () =>
            Eventually.HoldsAsync(async () => await aws.Backends.Queue.GetStatsAsync(FibTask.Topic) == drained, "every message of the workflow was deleted")));
    }

    [Fact]
    public async Task No_job_of_a_root_runs_once_its_cancel_is_seen_over_sqs_and_a_dynamodb_store_and_cache()
    {
        const int parallelism = 4;
        await using var aws = await AwsBackends.StartAsync(dynalite, fauxqs);
        var config = ConfigurationFactory.ParseString($"""
            akka.loglevel = ERROR
            brrr.poll-timeout = 200ms
            brrr.cancel-check-interval = 0s
            brrr.topic-defaults.parallelism = {parallelism}
            """);
        using var system = ActorSystem.Create("sqs-dynamo-cancel", config);
        var workload = new GatedFanOut();
        await using var brrr = new LocalBrrr(system, workload.Topics(), aws.Backends);

        await workload.CancelDuringFanOutAsync(brrr.Client, parallelism, () => brrr.Worker.Statistics.Cancelled);
    }

    [Fact]
    public async Task Three_workers_over_sqs_and_a_dynamodb_store_and_cache_push_exactly_one_root_per_tick_of_a_schedule()
    {
        await using var aws = await AwsBackends.StartAsync(dynalite, fauxqs);

        await ScheduleFleetTests.ThreeWorkersPushExactlyOneRootPerTickAsync(aws.Backends);
    }

    /// <summary>A fresh table on dynalite for the store and the cache (one client), and fresh queues on fauxqs.</summary>
    internal sealed class AwsBackends(AmazonDynamoDBClient dynamo, SqsQueue queue, BrrrBackends backends) : IAsyncDisposable
    {
        public BrrrBackends Backends { get; } = backends;

        public static async Task<AwsBackends> StartAsync(DynaliteServer dynalite, FauxqsServer fauxqs)
        {
            var name = "no-redis-" + Guid.NewGuid().ToString("N")[..12];
            var settings = DynamoDbStoreSettings.Default with { ServiceUrl = dynalite.ServiceUrl, Region = "us-east-1", TableName = name };
            var dynamo = DynamoDbClientFactory.CreateClient(settings, s_credentials);
            var store = new DynamoDbStore(dynamo, settings);
            await store.EnsureTableAsync();
            var queue = SqsQueue.Create(SqsQueueSettings.Default with { ServiceUrl = fauxqs.ServiceUrl, Region = "us-east-1", QueueNamePrefix = name + "-" }, s_credentials);
            return new AwsBackends(dynamo, queue, new BrrrBackends(store, new DynamoDbCache(dynamo, settings), queue, JsonCodec.Default));
        }

        public async ValueTask DisposeAsync()
        {
            await queue.DisposeAsync();
            dynamo.Dispose();
        }
    }
}
