using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Redis;

namespace Brrr.Inspection.Tests;

/// <summary>A test with its own redis-server and the Redis backends and a client over it, torn down after.</summary>
public abstract class RedisClientTest : IAsyncLifetime
{
    private RedisBrrr? _redis;

    /// <summary>The test's redis-server.</summary>
    protected RedisServer Server { get; } = RedisServer.Start();

    /// <summary>The Redis backends.</summary>
    protected RedisBrrr Redis => _redis ?? throw new InvalidOperationException("not initialised");

    /// <summary>A client over the backends, with the JSON codec.</summary>
    protected BrrrClient Client => new(Redis.Store, Redis.Cache, Redis.Queue, JsonCodec.Default);

    /// <inheritdoc />
    public virtual async Task InitializeAsync() => _redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = Server.Configuration });

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Server.Dispose();
    }
}
