using Brrr.Contracts.Servers;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>One redis-server (no persistence) and one <see cref="RedisBrrr"/> for every test of the collection.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private RedisBrrr? _brrr;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    public RedisBrrr Brrr => _brrr ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A raw client, for checks that must not go through the backends.</summary>
    public IDatabase Raw => Brrr.Multiplexer.GetDatabase();

    /// <summary>Settings with short liveness timings, so dead consumers are found within about a second.</summary>
    public static RedisBrrrSettings FastSettings(string configuration) => RedisBrrrSettings.Default with
    {
        Configuration = configuration,
        BlockTimeout = TimeSpan.FromMilliseconds(500),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        HeartbeatTtl = TimeSpan.FromSeconds(1),
        RecoveryInterval = TimeSpan.FromMilliseconds(200),
    };

    public async Task InitializeAsync()
    {
        _server = RedisServer.Start();
        _brrr = await RedisBrrr.ConnectAsync(FastSettings(_server.Configuration));
    }

    public async Task DisposeAsync()
    {
        if (_brrr is not null)
        {
            await _brrr.DisposeAsync();
        }

        _server?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
