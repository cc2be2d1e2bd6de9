using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.DynamoDb;
using Brrr.Inspection;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.Cli;

/// <summary>The backends of a fleet as <c>brrr</c> reaches them, with the client and admin objects over them.</summary>
public sealed class Fleet : IAsyncDisposable
{
    private const string Hint = "check --redis, BRRR_REDIS_URL or the brrr.redis.configuration of --config, and that redis-server runs";

    private readonly RedisBrrr _redis;
    private readonly DynamoDbStore? _dynamo;

    private Fleet(ConnectionSettings settings, RedisBrrr redis, DynamoDbStore? dynamo)
    {
        Settings = settings;
        _redis = redis;
        _dynamo = dynamo;
        Backends = new BrrrBackends((IStore?)dynamo ?? redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        Client = Backends.CreateClient(settings.Brrr.SpawnLimit);
        DeadLetters = new DeadLetterAdmin(redis.Queue, Client, DeadLetterSuffix);
        Topics = new FleetTopics(redis.Queue, DeadLetterSuffix);
    }

    /// <summary>Where it is connected.</summary>
    public ConnectionSettings Settings { get; }

    /// <summary>The store, cache, queue and codec.</summary>
    public BrrrBackends Backends { get; }

    /// <summary>The client (schedule, read, status, wait, retry, cancel).</summary>
    public BrrrClient Client { get; }

    /// <summary>The queue.</summary>
    public IQueue Queue => _redis.Queue;

    /// <summary>The dead letters.</summary>
    public DeadLetterAdmin DeadLetters { get; }

    /// <summary>The topics overview.</summary>
    public FleetTopics Topics { get; }

    /// <summary>The Redis backends (queue, cache, and the store unless it is DynamoDB).</summary>
    public RedisBrrr Redis => _redis;

    /// <summary>The DynamoDB store, when the fleet's store is DynamoDB.</summary>
    public DynamoDbStore? Dynamo => _dynamo;

    private string DeadLetterSuffix => Settings.Brrr.DeadLetterSuffix.Length > 0 ? Settings.Brrr.DeadLetterSuffix : DeadLetterAdmin.DefaultSuffix;

    /// <summary>Connects to what <paramref name="settings"/> name.</summary>
    /// <exception cref="BackendUnavailableException">Redis cannot be reached; the message names it without its password.</exception>
    public static async Task<Fleet> ConnectAsync(ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        RedisBrrr redis;
        try
        {
            redis = await RedisBrrr.ConnectAsync(settings.Redis).ConfigureAwait(false);
        }
        catch (RedisException e)
        {
            throw new BackendUnavailableException($"cannot reach Redis at {settings.RedisTarget} ({Redaction.Redact(e.Message)}): {Hint}", e);
        }

        if (!redis.Multiplexer.IsConnected)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
            throw new BackendUnavailableException(settings.RedisUrl is { } url
                ? await url.WhyNotConnectedAsync(Hint).ConfigureAwait(false)
                : $"cannot reach Redis at {settings.RedisTarget}: {Hint}");
        }

        var dynamo = settings.DynamoDb is { } dynamoDb ? DynamoDbStore.Create(dynamoDb) : null;
        return new Fleet(settings, redis, dynamo);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _dynamo?.Dispose();
        await _redis.DisposeAsync().ConfigureAwait(false);
    }
}
