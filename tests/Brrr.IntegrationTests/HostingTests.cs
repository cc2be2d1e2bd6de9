using System.Numerics;
using Akka.Configuration;
using Akka.Hosting;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Contracts.Workloads;
using Brrr.DynamoDb;
using Brrr.DynamoDb.Hosting;
using Brrr.Redis;
using Brrr.Redis.Hosting;
using Microsoft.Extensions.Hosting;

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
        };
        var hocon = ConfigurationFactory.ParseString("""
            brrr.redis {
              configuration = "127.0.0.1:7000,password=\"p\""
              key-prefix = "app:"
              database = 3
              counter-expiry = 2h
              heartbeat-ttl = 40s
              io-on-thread-pool = off
            }
            """);

        Assert.Equal(RedisBrrrSettings.Create(hocon.GetConfig("brrr.redis")), RedisBrrrSettings.Create(options.ToConfig().GetConfig("brrr.redis")));
        Assert.Equal("app:", RedisBrrrSettings.Create(options.ToConfig().GetConfig("brrr.redis")).KeyPrefix);
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

        Assert.Equal(DynamoDbStoreSettings.Create(hocon), DynamoDbStoreSettings.Create(options.ToConfig()));
        Assert.False(DynamoDbStoreSettings.Create(options.ToConfig()).ConsistentReads);
        Assert.False(DynamoDbStoreSettings.Create(options.ToConfig()).Coalesce);
    }

    [Fact]
    public async Task A_hosted_worker_on_redis_alone_computes_fib()
    {
        using var server = RedisServer.Start();
        var result = await RunHostedAsync(server, o => o.UseRedis(r => r.Configuration = server.Configuration), useDynamo: false);
        Assert.Equal(new BigInteger(6765), result);
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

    private async Task<BigInteger> RunHostedAsync(RedisServer server, Action<BrrrOptions> backends, bool useDynamo, string? table = null)
    {
        using var host = new HostBuilder()
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
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (DateTime.UtcNow < deadline)
            {
                var read = await client.ReadAsync(FibTask.Fib, args);
                if (read.Found)
                {
                    return read.Value;
                }

                await Task.Delay(20);
            }

            throw new TimeoutException("the hosted worker did not compute fib(20) within 120 s");
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
