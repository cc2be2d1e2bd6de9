namespace Brrr.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisCacheTests(RedisFixture redis)
{
    private static string FreshKey() => "brrr/count/ttl-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_new_counter_expires_after_the_counter_expiry()
    {
        var key = FreshKey();
        await redis.Brrr.Cache.IncrAsync(key);
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task Incrementing_keeps_the_expiry_set_when_the_counter_was_created()
    {
        var key = FreshKey();
        await redis.Brrr.Cache.IncrAsync(key);
        await redis.Raw.KeyExpireAsync(key, TimeSpan.FromSeconds(100));
        Assert.Equal(2, await redis.Brrr.Cache.IncrAsync(key));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100));
    }

    [Fact]
    public async Task The_counter_expiry_comes_from_the_settings()
    {
        var settings = RedisFixture.FastSettings(redis.Server.Configuration) with { CounterExpiry = TimeSpan.FromMinutes(5) };
        var cache = new RedisCache(redis.Brrr.Multiplexer, settings);
        var key = FreshKey();
        await cache.IncrAsync(key);
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }
}
