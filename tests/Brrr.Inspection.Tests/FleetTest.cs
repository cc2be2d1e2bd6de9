using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.DynamoDb;
using Brrr.Redis;

namespace Brrr.Inspection.Tests;

/// <summary>
/// A test with its own redis-server for the queue and cache, and a store that is either that Redis or, given a
/// dynalite, a DynamoDB table of the test's own on it; a client over them; all torn down after. A suite derives from
/// this once and is subclassed for each store (<c>OnEachStore.cs</c>).
/// </summary>
public abstract class FleetTest : IAsyncLifetime
{
    private readonly DynaliteServer? _dynalite;
    private RedisBrrr? _redis;
    private DynamoDbStore? _dynamo;

    /// <summary>Sets the test up on Redis alone (<paramref name="dynalite"/> null) or with the store on <paramref name="dynalite"/>.</summary>
    protected FleetTest(DynaliteServer? dynalite) => _dynalite = dynalite;

    /// <summary>The test's redis-server.</summary>
    protected RedisServer Server { get; } = RedisServer.Start();

    /// <summary>The Redis backends: the queue and the cache, and the store on Redis alone.</summary>
    protected RedisBrrr Redis => _redis ?? throw new InvalidOperationException("not initialised");

    /// <summary>The store of the test: the Redis store, or the DynamoDB store on dynalite.</summary>
    protected IStore Store => (IStore?)_dynamo ?? Redis.Store;

    /// <summary>The store, cache, queue and JSON codec.</summary>
    protected BrrrBackends Backends => new(Store, Redis.Cache, Redis.Queue, JsonCodec.Default);

    /// <summary>A client over the backends, with the JSON codec.</summary>
    protected BrrrClient Client => new(Store, Redis.Cache, Redis.Queue, JsonCodec.Default);

    /// <inheritdoc />
    public virtual async Task InitializeAsync()
    {
        _redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = Server.Configuration });
        if (_dynalite is not null)
        {
            var table = "brrr-" + Guid.NewGuid().ToString("N");
            _dynamo = DynamoDbStore.Create(
                DynamoDbStoreSettings.Default with { ServiceUrl = _dynalite.ServiceUrl, Region = "us-east-1", TableName = table },
                new BasicAWSCredentials("dummy", "dummy"));
            await _dynamo.EnsureTableAsync();
        }
    }

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        if (_dynamo is not null)
        {
            await _dynamo.DeleteTableAsync();
            _dynamo.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Server.Dispose();
    }
}
