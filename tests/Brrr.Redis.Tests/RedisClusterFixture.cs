using Brrr.Contracts.Servers;

namespace Brrr.Redis.Tests;

/// <summary>One three-primary Redis Cluster and its <see cref="RedisBrrr"/> in both layouts, for every test of the collection.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private RedisClusterServer? _cluster;
    private RedisBrrr? _brrr;
    private RedisBrrr? _legacy;

    public RedisClusterServer Cluster => _cluster ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The backends in the default (current) layout.</summary>
    public RedisBrrr Brrr => _brrr ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The backends in the legacy layout, on the same cluster.</summary>
    public RedisBrrr Legacy => _legacy ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync()
    {
        _cluster = RedisClusterServer.Start();
        _brrr = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(_cluster.Configuration));
        _legacy = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(_cluster.Configuration) with { Layout = RedisLayout.Legacy });
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

        _cluster?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis-cluster";
}
