using System.Numerics;
using Akka.Configuration;
using Akka.Hosting;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.DynamoDb;
using Brrr.DynamoDb.Hosting;
using Brrr.Protocol;
using Brrr.Redis;
using Brrr.Redis.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brrr.IntegrationTests;

/// <summary>Workers embedded with Akka.Hosting on Redis and DynamoDB, configured from options or HOCON.</summary>
public sealed class HostingTests : IClassFixture<DynaliteServer>
{
    private readonly DynaliteServer _dynalite;

    public HostingTests(DynaliteServer dynalite)
    {
        _dynalite = dynalite;
        // The hosted DynamoDB store takes credentials from the standard AWS chain, as in production.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "dummy");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "dummy");
    }

    [Fact]
    public void Redis_options_and_the_same_hocon_give_the_same_settings()
    {
        var options = new RedisBrrrOptions
        {
            Configuration = "127.0.0.1:7000,password=\"p\"",
            KeyPrefix = "app:",
            Database = 3,
            CounterExpiry = TimeSpan.FromHours(2),
            HeartbeatTtl = TimeSpan.FromSeconds(40),
            IoOnThreadPool = false,
            Layout = RedisLayout.Legacy,
            CancelExpiry = TimeSpan.FromDays(2),
        };
        var hocon = ConfigurationFactory.ParseString("""
            brrr.redis {
              configuration = "127.0.0.1:7000,password=\"p\""
              key-prefix = "app:"
              database = 3
              counter-expiry = 2h
              heartbeat-ttl = 40s
              io-on-thread-pool = off
              layout = legacy
              cancel-expiry = 2d
            }
            """);

        Assert.Equal(RedisBrrrHocon.Create(hocon.GetConfig("brrr.redis")), RedisBrrrHocon.Create(options.ToConfig().GetConfig("brrr.redis")));
        Assert.Equal("app:", RedisBrrrHocon.Create(options.ToConfig().GetConfig("brrr.redis")).KeyPrefix);
        Assert.Equal(RedisLayout.Legacy, RedisBrrrHocon.Create(options.ToConfig().GetConfig("brrr.redis")).Layout);
        Assert.Equal(TimeSpan.FromDays(2), RedisBrrrHocon.Create(options.ToConfig().GetConfig("brrr.redis")).CancelExpiry);
    }

    [Fact]
    public void DynamoDb_options_and_the_same_hocon_give_the_same_settings()
    {
        var options = new DynamoDbStoreOptions
        {
            TableName = "jobs",
            Region = "eu-west-1",
            ServiceUrl = new Uri("http://127.0.0.1:8000"),
            ConsistentReads = false,
            Coalesce = false,
        };
        var hocon = ConfigurationFactory.ParseString("""
            brrr.dynamodb {
              table-name = jobs
              region = eu-west-1
              service-url = "http://127.0.0.1:8000/"
              consistent-reads = false
              coalesce = off
            }
            """);

        Assert.Equal(DynamoDbStoreHocon.Create(hocon), DynamoDbStoreHocon.Create(options.ToConfig()));
        Assert.False(DynamoDbStoreHocon.Create(options.ToConfig()).ConsistentReads);
        Assert.False(DynamoDbStoreHocon.Create(options.ToConfig()).Coalesce);
    }

    [Fact]
    public async Task A_hosted_worker_on_redis_alone_computes_fib()
    {
        using var server = RedisServer.Start();
        var result = await RunHostedAsync(server, o => o.UseRedis(r => r.Configuration = server.Configuration), useDynamo: false);
        Assert.Equal(new BigInteger(6765), result);
    }

    [Fact]
    public async Task A_hosted_redis_backend_logs_through_the_hosts_logger_factory()
    {
        using var server = RedisServer.Start();
        await using (var seed = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration }))
        {
            // A consumer that crashed holding a job: the hosted worker's consumer gives it back and warns.
            var orphan = JsonCodec.Default.EncodeCall(FibTask.Fib.Name, new FibArgs(5, Guid.NewGuid().ToString("N")));
            await new BrrrClient(seed.Store, seed.Cache, seed.Queue, JsonCodec.Default).Memory.SetCallAsync(orphan);
            var raw = seed.Multiplexer.GetDatabase();
            await raw.SetAddAsync($"{{{RedisLayout.Current.TopicList(FibTask.Topic)}}}:brrr:consumers", "crashed");
            await raw.ListRightPushAsync($"{{{RedisLayout.Current.TopicList(FibTask.Topic)}}}:brrr:inflight:crashed", new ScheduleMessage("orphan-root", orphan.CallHash).ToWire());
        }

        using var logs = new CapturedLogs();
        Assert.Equal(new BigInteger(6765), await RunHostedAsync(server, o => o.UseRedis(r => r.Configuration = server.Configuration), useDynamo: false, logs: logs));
        var warning = Assert.Single(logs.Entries, e => e.Category == "Brrr.Redis.RedisQueueConsumer" && e.Level == LogLevel.Warning);
        Assert.Contains("Consumer crashed of topic it-fib stopped beating: 1 message(s)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hosted_worker_on_a_redis_queue_and_a_dynamodb_store_computes_fib()
    {
        using var server = RedisServer.Start();
        var table = "hosted-" + Guid.NewGuid().ToString("N");
        var result = await RunHostedAsync(
            server,
            o => o.UseRedis(r => r.Configuration = server.Configuration, store: false)
                .UseDynamoDbStore(d =>
                {
                    d.ServiceUrl = _dynalite.ServiceUrl;
                    d.Region = "us-east-1";
                    d.TableName = table;
                }),
            useDynamo: true,
            table);
        Assert.Equal(new BigInteger(6765), result);
    }

    [Fact]
    public async Task A_hosted_worker_on_a_redis_queue_and_a_dynamodb_store_and_cache_computes_fib_counting_spawns_on_dynamodb()
    {
        using var server = RedisServer.Start();
        var table = "hosted-cache-" + Guid.NewGuid().ToString("N");
        var result = await RunHostedAsync(
            server,
            o => o.UseRedis(r => r.Configuration = server.Configuration, store: false)
                .UseDynamoDbStore(
                    d =>
                    {
                        d.ServiceUrl = _dynalite.ServiceUrl;
                        d.Region = "us-east-1";
                        d.TableName = table;
                    },
                    cache: true),
            useDynamo: true,
            table);
        Assert.Equal(new BigInteger(6765), result);

        using var raw = DynamoDbClientFactory.CreateClient(DynamoDbStoreSettings.Default with { ServiceUrl = _dynalite.ServiceUrl, Region = "us-east-1" });
        var items = (await raw.ScanAsync(new Amazon.DynamoDBv2.Model.ScanRequest { TableName = table, ConsistentRead = true })).Items;
        Assert.Contains(items, item => item["sk"].S == "cache" && item["pk"].S.StartsWith("cache/count/", StringComparison.Ordinal));
    }

    private async Task<BigInteger> RunHostedAsync(RedisServer server, Action<BrrrOptions> backends, bool useDynamo, string? table = null, ILoggerProvider? logs = null)
    {
        using var host = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            })
            .ConfigureServices(services => services.AddAkka("hosted", builder => builder
                .AddHocon("akka.loglevel = WARNING\nbrrr.poll-timeout = 200ms", HoconAddMode.Prepend)
                .WithBrrr(o =>
                {
                    o.AddTopic(FibTask.Topic, new Tasks.TaskSet(FibTask.Fib), parallelism: 8);
                    backends(o);
                })))
            .Build();
        await host.StartAsync();
        try
        {
            // A separate client: the same Redis queue, and the store the worker uses.
            await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
            using var dynamo = useDynamo
                ? DynamoDbStore.Create(DynamoDbStoreSettings.Default with { ServiceUrl = _dynalite.ServiceUrl, Region = "us-east-1", TableName = table! })
                : null;
            var client = new BrrrClient((Backends.IStore?)dynamo ?? redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
            var args = new FibArgs(20, Guid.NewGuid().ToString("N"));
            await client.ScheduleAsync(FibTask.Fib, args, FibTask.Topic);
            ReadResult<BigInteger> read = default;
            await Eventually.HoldsAsync(async () => (read = await client.ReadAsync(FibTask.Fib, args)).Found, "the hosted worker computed fib(20)", TimeSpan.FromSeconds(120));
            return read.Value;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
