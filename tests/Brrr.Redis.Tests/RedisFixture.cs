using Brrr.Contracts.Servers;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>One redis-server (no persistence) and one <see cref="RedisBrrr"/> for every test of the collection.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private RedisBrrr? _brrr;
    private RedisBrrr? _legacy;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The backends in the default (current) layout.</summary>
    public RedisBrrr Brrr => _brrr ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The backends in the legacy layout, on the same server.</summary>
    public RedisBrrr Legacy => _legacy ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The backends of <paramref name="layout"/>.</summary>
    public RedisBrrr For(RedisLayout layout) => layout == RedisLayout.Current ? Brrr : Legacy;

    /// <summary>The key names the backends of <paramref name="layout"/> use.</summary>
    internal static RedisKeys KeysOf(RedisLayout layout) => new(RedisBrrrSettings.Default.KeyPrefix, layout);

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
        _legacy = await RedisBrrr.ConnectAsync(FastSettings(_server.Configuration) with { Layout = RedisLayout.Legacy });
    }

    public async Task DisposeAsync()
    {
        if (_brrr is not null)
        {
            await _brrr.DisposeAsync();
        }

        if (_legacy is not null)
        {
            await _legacy.DisposeAsync();
        }

        _server?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
