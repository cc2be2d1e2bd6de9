using System.Text;
using Brrr.Backends;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisStoreTests(RedisFixture redis)
{
    private static MemKey FreshKey() => MemKey.PendingReturnsOf("cas-" + Guid.NewGuid().ToString("N"));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private IStore Store => redis.Brrr.Store;

    [Fact]
    public async Task Sixty_four_concurrent_compare_and_sets_have_exactly_one_winner_in_each_of_twenty_rounds()
    {
        const int attempts = 64;
        var key = FreshKey();
        var current = Bytes("round-0");
        await Store.SetAsync(key, current);
        for (var round = 1; round <= 20; round++)
        {
            var expected = current;
            var results = await Task.WhenAll(Enumerable.Range(0, attempts)
                .Select(i => Task.Run(() => Store.CompareAndSetAsync(key, Bytes($"round-{round}-by-{i}"), expected))));
            var winner = Assert.Single(Enumerable.Range(0, attempts), i => results[i]);
            current = Bytes($"round-{round}-by-{winner}");
            Assert.Equal(current, await Store.GetAsync(key));
        }
    }

    [Fact]
    public async Task Compare_and_set_compares_binary_bytes_exactly()
    {
        var key = FreshKey();
        byte[] stored = [0, 255, 0, 0xC3];
        await Store.SetAsync(key, stored);
        Assert.False(await Store.CompareAndSetAsync(key, Bytes("x"), [0, 255, 0]));
        Assert.False(await Store.CompareAndSetAsync(key, Bytes("x"), [0, 255, 0, 0xC3, 0]));
        Assert.False(await Store.CompareAndDeleteAsync(key, [0, 254, 0, 0xC3]));
        Assert.True(await Store.CompareAndSetAsync(key, [1, 0, 2], stored));
        Assert.True(await Store.CompareAndDeleteAsync(key, [1, 0, 2]));
        Assert.False(await Store.HasAsync(key));
    }

    [Fact]
    public async Task Compare_and_set_still_works_after_the_server_forgot_its_scripts()
    {
        var key = FreshKey();
        await Store.SetAsync(key, Bytes("a"));
        Assert.True(await Store.CompareAndSetAsync(key, Bytes("b"), Bytes("a")));
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration + ",allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).ScriptFlushAsync();
        }

        Assert.True(await Store.CompareAndSetAsync(key, Bytes("c"), Bytes("b")));
        Assert.True(await Store.CompareAndDeleteAsync(key, Bytes("c")));
        Assert.False(await Store.HasAsync(key));
    }

    [Fact]
    public async Task Store_keys_have_no_expiry()
    {
        var key = FreshKey();
        await Store.SetAsync(key, Bytes("a"));
        await Store.CompareAndSetAsync(key, Bytes("b"), Bytes("a"));
        Assert.Null(await redis.Raw.KeyTimeToLiveAsync($"brrr:{{{key.CallHash}}}:pending_returns"));
        Assert.True(await redis.Raw.KeyExistsAsync($"brrr:{{{key.CallHash}}}:pending_returns"));
    }
}
