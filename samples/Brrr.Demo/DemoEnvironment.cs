using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.DynamoDb;
using Brrr.Redis;
using Brrr.Redis.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Brrr.Demo;

/// <summary>
/// The distributed backends, from the same environment variables as the reference brrr demo:
/// <c>BRRR_DEMO_REDIS_URL</c> (queue, cache, and the store unless DynamoDB is configured), <c>AWS_ENDPOINT_URL</c>
/// or <c>AWS_REGION</c> (DynamoDB store; credentials from the AWS chain), <c>DYNAMODB_TABLE_NAME</c> (default brrr),
/// and <c>BRRR_DEMO_REDIS_LAYOUT</c> (<c>current</c> or <c>legacy</c>: the Redis key names of the fleet's reference
/// workers, over <c>brrr.redis.layout</c>).
/// </summary>
public sealed class DemoEnvironment : IAsyncDisposable
{
    private const string NeedRedis =
        "web, worker and the client commands need Redis (and DynamoDB, or the Redis store): start redis-server, set BRRR_DEMO_REDIS_URL=redis://127.0.0.1:6379 (and AWS_ENDPOINT_URL for dynalite); see the README's Distributed section";

    private readonly RedisBrrr _redis;
    private readonly DynamoDbStore? _dynamo;
    private readonly ILoggerFactory _loggerFactory;

    private DemoEnvironment(RedisBrrr redis, DynamoDbStore? dynamo, ILoggerFactory loggerFactory)
    {
        _redis = redis;
        _dynamo = dynamo;
        _loggerFactory = loggerFactory;
        Backends = new BrrrBackends((IStore?)dynamo ?? redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
    }

    /// <summary>The queue, store, cache and codec.</summary>
    public BrrrBackends Backends { get; }

    /// <summary>The Redis connection.</summary>
    public RedisBrrr Redis => _redis;

    /// <summary>The DynamoDB store, when configured.</summary>
    public DynamoDbStore? Dynamo => _dynamo;

    /// <summary>What the store is, for messages.</summary>
    public string StoreName => _dynamo is null ? "redis" : $"dynamodb table {_dynamo.TableName}";

    /// <summary>BRRR_DEMO_REDIS_URL.</summary>
    /// <exception cref="ArgumentException">It is not set; the message says how to start Redis.</exception>
    public static string RedisUrlFromEnvironment() =>
        Environment.GetEnvironmentVariable("BRRR_DEMO_REDIS_URL") is { } url && !string.IsNullOrWhiteSpace(url)
            ? url
            : throw new ArgumentException("BRRR_DEMO_REDIS_URL is not set: " + NeedRedis);

    /// <summary>Connects to what the environment names; <paramref name="config"/> tunes the Redis backends (<c>brrr.redis</c>).</summary>
    /// <exception cref="ArgumentException">BRRR_DEMO_REDIS_URL is not set or not a redis:// URL; the message says how to start Redis.</exception>
    public static async Task<DemoEnvironment> ConnectAsync(Config config)
    {
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
        await _redis.DisposeAsync().ConfigureAwait(false);

        // Last: disposing flushes the console logger's queue.
        _loggerFactory.Dispose();
    }
}
