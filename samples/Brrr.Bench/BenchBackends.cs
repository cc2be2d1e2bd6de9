using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SQS;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Bench.Counting;
using Brrr.Bench.Servers;
using Brrr.Codecs;
using Brrr.DynamoDb;
using Brrr.Redis;
using Brrr.Sqs;
using StackExchange.Redis;

namespace Brrr.Bench;

/// <summary>
/// The servers and connections of a bench session (started once, shared by every run), and fresh backends per run:
/// a new in-memory set, a flushed Redis or Redis Cluster (only when the bench owns it) or a new DynamoDB table. With
/// <c>--latency-ms</c> the session reaches Redis and DynamoDB through a <see cref="LatencyProxy"/> each. A worker
/// process opens the same servers, through the same proxies (<see cref="RedisAddress"/>, <see cref="DynamoUrl"/>), and
/// joins its parent's run (<see cref="JoinRun"/>).
/// </summary>
internal sealed class BenchBackends : IAsyncDisposable
{
    private readonly BenchOptions _options;
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<LatencyProxy> _proxies = [];
    private RedisBrrr? _redis;
    private bool _ownsRedis;
    private Uri? _dynamoUrl;
    private Uri? _sqsUrl;
    private AmazonDynamoDBClient? _dynamoClient;
    private AmazonSQSClient? _sqsClient;
    private long _sqsRequests;
    private long _dynamoRequests;
    private DynamoDbStore? _table;
    private DynamoDbStore? _joinedTable;
    private int _tables;

    private BenchBackends(BenchOptions options) => _options = options;

    public RedisBrrr? Redis => _redis;

    /// <summary>The Redis server as HOST:PORT (a cluster's primaries separated by commas), null without Redis.</summary>
    public string? RedisAddress { get; private set; }

    /// <summary>The DynamoDB endpoint, null unless the backend is redis-dynamo.</summary>
    public Uri? DynamoUrl => _dynamoUrl;

    /// <summary>The dynalite process id when the bench started it.</summary>
    public int? DynaliteProcessId { get; private set; }

    /// <summary>The redis-server process id when the bench started it.</summary>
    public int? RedisProcessId { get; private set; }

    public static async Task<BenchBackends> StartAsync(BenchOptions options)
    {
        var session = new BenchBackends(options);
        try
        {
            if (options.Backend is "redis" or "redis-cluster" or "redis-dynamo")
            {
                var configuration = options.Redis;
                if (configuration is null && options.Backend == "redis-cluster")
                {
                    var cluster = await LocalCluster.StartAsync().ConfigureAwait(false);
                    session._owned.Add(cluster);
                    session._ownsRedis = true;
                    configuration = cluster.Configuration;
                }
                else if (configuration is null)
                {
                    var server = await Launchers.StartRedisAsync().ConfigureAwait(false);
                    session._owned.Add(server);
                    session._ownsRedis = true;
                    session.RedisProcessId = server.ProcessId;
                    configuration = $"127.0.0.1:{server.Port}";
                }

                if (options.LatencyMs > 0)
                {
                    var separator = configuration.LastIndexOf(':');
                    var port = int.Parse(configuration.AsSpan(separator + 1), System.Globalization.CultureInfo.InvariantCulture);
                    configuration = $"127.0.0.1:{session.Delay(configuration[..separator], port).Port}";
                }

                session.RedisAddress = configuration;
                session._redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = configuration + ",allowAdmin=true" }).ConfigureAwait(false);
            }

            if (options.Backend is "redis-dynamo" or "sqs-dynamo")
            {
                session._dynamoUrl = options.DynamoUrl;
                if (session._dynamoUrl is null)
                {
                    var server = await Launchers.StartDynaliteAsync(options.DynaliteCli).ConfigureAwait(false);
                    session._owned.Add(server);
                    session.DynaliteProcessId = server.ProcessId;
                    session._dynamoUrl = new Uri($"http://127.0.0.1:{server.Port}");
                }

                if (options.LatencyMs > 0)
                {
                    session._dynamoUrl = new Uri($"http://127.0.0.1:{session.Delay(session._dynamoUrl.Host, session._dynamoUrl.Port).Port}");
                }
            }

            if (options.Backend is "sqs-dynamo")
            {
                session._sqsUrl = options.SqsUrl;
                if (session._sqsUrl is null)
                {
                    var server = await Launchers.StartFauxqsAsync().ConfigureAwait(false);
                    session._owned.Add(server);
                    session._sqsUrl = new Uri($"http://127.0.0.1:{server.Port}");
                }

                if (options.LatencyMs > 0)
                {
                    session._sqsUrl = new Uri($"http://127.0.0.1:{session.Delay(session._sqsUrl.Host, session._sqsUrl.Port).Port}");
                }

                session.StartAwsClients();
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fresh backends for one run, wrapped in counting decorators when <c>--count-ops</c> is on.</summary>
    public async Task<RunBackends> ForRunAsync()
    {
        IStore store;
        ICache cache;
        IQueue queue;
        switch (_options.Backend)
        {
            case "memory":
                (store, cache, queue) = (new InMemoryStore(), new InMemoryCache(), new InMemoryQueue());
                break;
            case "sqs-dynamo":
                await DropTableAsync().ConfigureAwait(false);
                var run = $"brrr-bench-{Environment.ProcessId}-{++_tables}";
                var settings = TableSettings(run);
                _table = new DynamoDbStore(_dynamoClient!, settings);
                await _table.EnsureTableAsync().ConfigureAwait(false);
                var queueSettings = SqsQueueSettings.Default with { ServiceUrl = _sqsUrl, Region = "us-east-1", QueueNamePrefix = run + "-" };
                (store, cache, queue) = (_table, new DynamoDbCache(_dynamoClient!, settings), new SqsQueue(_sqsClient!, queueSettings));
                break;
            default:
                var redis = _redis!;
                if (_ownsRedis)
                {
                    foreach (var endpoint in redis.Multiplexer.GetEndPoints())
                    {
                        await redis.Multiplexer.GetServer(endpoint).FlushAllDatabasesAsync().ConfigureAwait(false);
                    }
                }

                (store, cache, queue) = (redis.Store, redis.Cache, redis.Queue);
                if (_options.Backend is "redis-dynamo")
                {
                    await DropTableAsync().ConfigureAwait(false);
                    _table = OpenTable($"brrr-bench-{Environment.ProcessId}-{++_tables}");
                    await _table.EnsureTableAsync().ConfigureAwait(false);
                    store = _table;
                }

                break;
        }

        return Wrap(store, cache, queue);
    }

    /// <summary>
    /// The backends of one run in a worker process: the run's Redis as the bench left it, and for redis-dynamo the
    /// bench's table <paramref name="table"/> (not created, not deleted here; the previous run's is closed).
    /// </summary>
    public RunBackends JoinRun(string? table)
    {
        var redis = _redis ?? throw new InvalidOperationException("A worker process needs the run's Redis (--redis).");
        _joinedTable?.Dispose();
        _joinedTable = null;
        if (table is null)
        {
            return Wrap(redis.Store, redis.Cache, redis.Queue);
        }

        _joinedTable = OpenTable(table);
        return Wrap(_joinedTable, redis.Cache, redis.Queue);
    }

    /// <summary>
    /// The HTTP requests sent to SQS (sqs-dynamo, else null) and to DynamoDB (sqs-dynamo and redis-dynamo, by this
    /// process) so far, each batch request counting once, as AWS bills it; null without DynamoDB.
    /// </summary>
    public (long? Sqs, long DynamoDb)? AwsRequests() =>
        _dynamoClient is null ? null : (_sqsClient is null ? null : Interlocked.Read(ref _sqsRequests), Interlocked.Read(ref _dynamoRequests));

    /// <summary>The bytes the <c>--latency-ms</c> proxies forwarded so far (to and from every server), or null without them.</summary>
    public long? ProxiedBytes() => _proxies.Count == 0 ? null : _proxies.Sum(p => p.Bytes);

    /// <summary>Commands Redis has processed so far (INFO stats total_commands_processed), or null without Redis.</summary>
    public async Task<long?> RedisCommandsAsync()
    {
        if (_redis is null)
        {
            return null;
        }

        long total = 0;
        foreach (var endpoint in _redis.Multiplexer.GetEndPoints())
        {
            var info = await _redis.Multiplexer.GetServer(endpoint).InfoAsync("stats").ConfigureAwait(false);
            var value = info.SelectMany(g => g).FirstOrDefault(p => p.Key == "total_commands_processed").Value;
            total += long.Parse(value ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await DropTableAsync().ConfigureAwait(false);
        _joinedTable?.Dispose();
        _sqsClient?.Dispose();
        _dynamoClient?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A <see cref="LatencyProxy"/> of <c>--latency-ms</c> in front of <paramref name="host"/>:<paramref name="port"/>, stopped with the session.</summary>
    private LatencyProxy Delay(string host, int port)
    {
        var proxy = LatencyProxy.Start(host, port, TimeSpan.FromMilliseconds(_options.LatencyMs));
        _owned.Add(proxy);
        _proxies.Add(proxy);
        return proxy;
    }

    /// <summary>A store on table <paramref name="name"/> through the session's DynamoDB client, which counts the requests it sends.</summary>
    private DynamoDbStore OpenTable(string name) => new(_dynamoClient ??= CountingDynamoClient(), TableSettings(name));

    private AmazonDynamoDBClient CountingDynamoClient()
    {
        var client = DynamoDbClientFactory.CreateClient(TableSettings("brrr-bench"), Credentials);
        client.BeforeRequestEvent += (_, _) => Interlocked.Increment(ref _dynamoRequests);
        return client;
    }

    private static BasicAWSCredentials Credentials => new("dummy", "dummy");

    private DynamoDbStoreSettings TableSettings(string name) =>
        DynamoDbStoreSettings.Default with { ServiceUrl = _dynamoUrl, Region = "us-east-1", TableName = name };

    /// <summary>The session's SQS and DynamoDB clients (sqs-dynamo), each counting the requests it sends.</summary>
    private void StartAwsClients()
    {
        _dynamoClient ??= CountingDynamoClient();
        _sqsClient = new AmazonSQSClient(Credentials, new AmazonSQSConfig { ServiceURL = _sqsUrl!.ToString(), AuthenticationRegion = "us-east-1" });
        _sqsClient.BeforeRequestEvent += (_, _) => Interlocked.Increment(ref _sqsRequests);
    }

    /// <summary>The run's backends, wrapped in counting decorators when <c>--count-ops</c> is on.</summary>
    private RunBackends Wrap(IStore store, ICache cache, IQueue queue)
    {
        var plain = new BrrrBackends(store, cache, queue, JsonCodec.Default);
        var table = (store as DynamoDbStore)?.TableName;
        if (!_options.CountOps)
        {
            return new RunBackends(plain, plain, table, null);
        }

        var countingStore = new CountingStore(store);
        var countingCache = new CountingCache(cache);
        var countingQueue = new CountingQueue(queue);
        return new RunBackends(
            new BrrrBackends(countingStore, countingCache, countingQueue, JsonCodec.Default), plain, table,
            new RunCounters(countingStore.Counters, countingQueue.Counters, countingCache.Counters));
    }

    private async Task DropTableAsync()
    {
        if (_table is not null)
        {
            try
            {
                await _table.DeleteTableAsync().ConfigureAwait(false);
            }
            catch (AmazonServiceException e)
            {
                Console.Error.WriteLine($"brrr-bench: could not delete table {_table.TableName}: {e.Message}");
            }

            _table.Dispose();
            _table = null;
        }
    }
}
