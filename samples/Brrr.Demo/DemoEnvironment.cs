using Akka.Configuration;
using Amazon.DynamoDBv2;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.DynamoDb;
using Brrr.Redis;
using Brrr.Redis.Hosting;
using Brrr.Sqs;
using Brrr.Sqs.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Brrr.Demo;

/// <summary>
/// The distributed backends, from the same environment variables as the reference brrr demo:
/// <c>BRRR_DEMO_REDIS_URL</c> (queue, cache, and the store unless DynamoDB is configured), <c>AWS_ENDPOINT_URL</c>
/// or <c>AWS_REGION</c> (DynamoDB store; credentials from the AWS chain), <c>DYNAMODB_TABLE_NAME</c> (default brrr),
/// and <c>BRRR_DEMO_REDIS_LAYOUT</c> (<c>current</c> or <c>legacy</c>: the Redis key names of the fleet's reference
/// workers, over <c>brrr.redis.layout</c>). With <c>BRRR_DEMO_QUEUE=sqs</c> there is no Redis: the queue is SQS
/// (<c>AWS_ENDPOINT_URL_SQS</c>, else <c>AWS_ENDPOINT_URL</c>, and <c>brrr.sqs</c>), the store and the cache DynamoDB
/// (<c>AWS_ENDPOINT_URL_DYNAMODB</c>, else <c>AWS_ENDPOINT_URL</c>), one client for both, in <c>AWS_REGION</c>.
/// </summary>
public sealed class DemoEnvironment : IAsyncDisposable
{
    private const string NeedRedis =
        "web, worker and the client commands need Redis (and DynamoDB, or the Redis store): start redis-server, set BRRR_DEMO_REDIS_URL=redis://127.0.0.1:6379 (and AWS_ENDPOINT_URL for dynalite), or set BRRR_DEMO_QUEUE=sqs for web and worker on SQS and DynamoDB; see the README's Distributed section";

    /// <summary>The variable choosing the queue: <c>redis</c> (the default) or <c>sqs</c>.</summary>
    public const string QueueVariable = "BRRR_DEMO_QUEUE";

    private const string RedisMode = "redis";
    private const string SqsMode = "sqs";

    private readonly RedisBrrr? _redis;
    private readonly DynamoDbStore? _dynamo;
    private readonly SqsQueue? _sqs;
    private readonly AmazonDynamoDBClient? _dynamoClient;
    private readonly ILoggerFactory _loggerFactory;

    private DemoEnvironment(RedisBrrr redis, DynamoDbStore? dynamo, ILoggerFactory loggerFactory)
    {
        _redis = redis;
        _dynamo = dynamo;
        _loggerFactory = loggerFactory;
        Backends = new BrrrBackends((IStore?)dynamo ?? redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
    }

    private DemoEnvironment(SqsQueue sqs, AmazonDynamoDBClient dynamoClient, DynamoDbStore store, DynamoDbCache cache, ILoggerFactory loggerFactory)
    {
        _sqs = sqs;
        _dynamoClient = dynamoClient;
        _dynamo = store;
        _loggerFactory = loggerFactory;
        Backends = new BrrrBackends(store, cache, sqs, JsonCodec.Default);
    }

    /// <summary>The queue, store, cache and codec.</summary>
    public BrrrBackends Backends { get; }

    /// <summary>The Redis connection; <c>null</c> in SQS mode, which makes none.</summary>
    public RedisBrrr? Redis => _redis;

    /// <summary>The DynamoDB store, when configured (always in SQS mode).</summary>
    public DynamoDbStore? Dynamo => _dynamo;

    /// <summary>The SQS queue in SQS mode, else <c>null</c>.</summary>
    public SqsQueue? Sqs => _sqs;

    /// <summary>What the store is, for messages.</summary>
    public string StoreName => _dynamo is null ? "redis" : $"dynamodb table {_dynamo.TableName}";

    /// <summary>What the backends are, for the start lines of web and worker: the store, and in SQS mode the queue and cache too.</summary>
    public string Summary => _sqs is null ? $"store: {StoreName}" : $"queue: sqs, store and cache: {StoreName}";

    /// <summary>Whether <c>BRRR_DEMO_QUEUE</c> chooses SQS (<c>sqs</c>) rather than Redis (unset, empty or <c>redis</c>).</summary>
    /// <exception cref="ArgumentException">It holds another value; the message names the variable.</exception>
    public static bool SqsFromEnvironment() => Environment.GetEnvironmentVariable(QueueVariable)?.Trim().ToLowerInvariant() switch
    {
        null or "" or RedisMode => false,
        SqsMode => true,
        var other => throw new ArgumentException($"{QueueVariable} must be {RedisMode} or {SqsMode}, got '{other}'"),
    };

    /// <summary>BRRR_DEMO_REDIS_URL.</summary>
    /// <exception cref="ArgumentException">It is not set; the message says how to start Redis.</exception>
    public static string RedisUrlFromEnvironment() =>
        Environment.GetEnvironmentVariable("BRRR_DEMO_REDIS_URL") is { } url && !string.IsNullOrWhiteSpace(url)
            ? url
            : throw new ArgumentException("BRRR_DEMO_REDIS_URL is not set: " + NeedRedis);

    /// <summary>Connects to what the environment names; <paramref name="config"/> tunes the Redis backends (<c>brrr.redis</c>) or the SQS queue (<c>brrr.sqs</c>).</summary>
    /// <exception cref="ArgumentException">
    /// BRRR_DEMO_REDIS_URL is not set or not a redis:// URL (the message says how to start Redis), BRRR_DEMO_QUEUE is
    /// neither redis nor sqs, or an AWS endpoint variable is no URL.
    /// </exception>
    public static async Task<DemoEnvironment> ConnectAsync(Config config)
    {
        if (SqsFromEnvironment())
        {
            return await ConnectAwsAsync(config).ConfigureAwait(false);
        }

        var url = RedisUrlFromEnvironment();

        var settings = RedisBrrrHocon.Create(config.GetConfig(RedisBrrrSettings.Section)) with { Configuration = RedisConfiguration(url) };
        if (Environment.GetEnvironmentVariable("BRRR_DEMO_REDIS_LAYOUT") is { Length: > 0 } layout)
        {
            settings = settings with { Layout = RedisBrrrSettings.ParseLayout(layout) };
        }

        var loggerFactory = CreateLoggerFactory();
        RedisBrrr redis;
        try
        {
            redis = await RedisBrrr.ConnectAsync(settings, loggerFactory).ConfigureAwait(false);
        }
        catch (StackExchange.Redis.RedisException e)
        {
            loggerFactory.Dispose();
            throw new ArgumentException($"cannot reach Redis at {RedisUrl.Parse(url, "BRRR_DEMO_REDIS_URL")} ({e.Message}): " + NeedRedis, e);
        }

        if (!redis.Multiplexer.IsConnected)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
            loggerFactory.Dispose();
            throw new ArgumentException(await RedisUrl.Parse(url, "BRRR_DEMO_REDIS_URL").WhyNotConnectedAsync(NeedRedis).ConfigureAwait(false));
        }

        DynamoDbStore? dynamo = null;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_REGION")))
        {
            dynamo = DynamoDbStore.Create(DynamoDbStoreSettings.FromEnvironment());
            await dynamo.EnsureTableAsync().ConfigureAwait(false);
        }

        return new DemoEnvironment(redis, dynamo, loggerFactory);
    }

    /// <summary>
    /// SQS mode: the SQS queue (<c>brrr.sqs</c> of <paramref name="config"/>, its endpoint and region from the environment)
    /// and the DynamoDB store and cache on one client, the table created when missing. Makes no Redis connection.
    /// </summary>
    private static async Task<DemoEnvironment> ConnectAwsAsync(Config config)
    {
        var sqsSettings = SqsQueueHocon.Create(config);
        if (Endpoint("AWS_ENDPOINT_URL_SQS") is { } sqsUrl)
        {
            sqsSettings = sqsSettings with { ServiceUrl = sqsUrl };
        }

        if (Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region)
        {
            sqsSettings = sqsSettings with { Region = region };
        }

        var dynamoSettings = DynamoDbStoreSettings.FromEnvironment();
        var loggerFactory = CreateLoggerFactory();
        var client = DynamoDbClientFactory.CreateClient(dynamoSettings);
        var store = new DynamoDbStore(client, dynamoSettings);
        var environment = new DemoEnvironment(
            SqsQueue.Create(sqsSettings, loggerFactory: loggerFactory), client, store, new DynamoDbCache(client, dynamoSettings), loggerFactory);
        try
        {
            await store.EnsureTableAsync().ConfigureAwait(false);
        }
        catch
        {
            await environment.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return environment;
    }

    /// <summary>The URL in <paramref name="variable"/>, else in <c>AWS_ENDPOINT_URL</c>, else <c>null</c>.</summary>
    /// <exception cref="ArgumentException">The one read is no absolute http(s) URL; the message names the variable.</exception>
    private static Uri? Endpoint(string variable)
    {
        var name = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } ? variable : "AWS_ENDPOINT_URL";
        return Environment.GetEnvironmentVariable(name) is not { Length: > 0 } value ? null
            : Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) ? url
            : throw new ArgumentException($"{name} must be an absolute http or https URL, got '{Redaction.Redact(value)}'");
    }

    /// <summary>
    /// Where the Redis backends log (a consumer that stopped beating, a layout mismatch): one line per entry,
    /// warnings and errors on standard error.
    /// </summary>
    private static ILoggerFactory CreateLoggerFactory() => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Warning);
    });

    /// <summary>
    /// Turns <c>redis[s]://[[user]:password@]host[:port][/db]</c> into a StackExchange.Redis configuration string
    /// (<c>rediss</c>: TLS); see <see cref="RedisUrl"/>.
    /// </summary>
    /// <exception cref="ArgumentException">It is no such URL; the message masks the password.</exception>
    public static string RedisConfiguration(string url) => RedisUrl.Parse(url, "BRRR_DEMO_REDIS_URL").Configuration;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _dynamo?.Dispose();
        _dynamoClient?.Dispose();
        if (_sqs is not null)
        {
            await _sqs.DisposeAsync().ConfigureAwait(false);
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        // Last: disposing flushes the console logger's queue.
        _loggerFactory.Dispose();
    }
}
