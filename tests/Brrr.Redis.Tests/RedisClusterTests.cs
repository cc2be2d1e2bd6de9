using Brrr.Backends;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>What only a cluster shows: where keys land, and which steps fall back to separate commands.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterTests(RedisClusterFixture redis)
{
    [Fact]
    public void The_fixture_is_a_cluster_of_three_primaries()
    {
        var primaries = redis.Brrr.Multiplexer.GetServers().Where(s => !s.IsReplica).ToList();

        Assert.Equal(3, primaries.Count);
        Assert.All(primaries, s => Assert.Equal(ServerType.Cluster, s.ServerType));
    }

    [Theory]
    [InlineData(RedisLayout.Current)]
    [InlineData(RedisLayout.Legacy)]
    public void The_spawn_counter_and_the_topic_list_are_in_different_slots_so_jobs_are_counted_and_pushed_and_children_scheduled_by_separate_commands(RedisLayout layout)
    {
        var brrr = layout == RedisLayout.Current ? redis.Brrr : redis.Legacy;
        var keys = RedisFixture.KeysOf(layout);

        Assert.NotEqual(brrr.Multiplexer.HashSlot(keys.Counter("root")), brrr.Multiplexer.HashSlot(keys.Topic("fib")));
        Assert.False(brrr.Cache.CanPushTo(brrr.Queue));
        Assert.False(brrr.Store.CanScheduleWith(brrr.Cache, brrr.Queue));
    }

    [Fact]
    public void A_topics_bookkeeping_shares_the_slot_of_its_list_and_a_calls_records_share_one_slot()
    {
        var keys = RedisFixture.KeysOf(RedisLayout.Current);
        var mux = redis.Brrr.Multiplexer;
        var list = mux.HashSlot(keys.Topic("t"));

        Assert.All(
            [keys.InFlight("t", "c"), keys.Heartbeat("t", "c"), keys.Consumers("t"), keys.Redelivered("t"), keys.Delayed("t")],
            k => Assert.Equal(list, mux.HashSlot(k)));
        Assert.All(
            Enum.GetValues<MemKeyType>().Select(type => keys.Store(new MemKey(type, "abc"))).Append(keys.Attempts("abc")),
            k => Assert.Equal(mux.HashSlot(keys.Store(new MemKey(MemKeyType.Value, "abc"))), mux.HashSlot(k)));
    }

    [Fact]
    public async Task Topics_spread_over_the_shards_by_name_and_listing_them_visits_every_primary()
    {
        var prefix = "spread-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var topics = Enumerable.Range(0, 24).Select(i => prefix + i).ToList();
        foreach (var topic in topics)
        {
            await redis.Brrr.Queue.PushAsync(topic, "m");
        }

        var pattern = RedisFixture.KeysOf(RedisLayout.Current).Topic(prefix + "*");
        var shards = 0;
        foreach (var primary in redis.Brrr.Multiplexer.GetServers().Where(s => !s.IsReplica))
        {
            shards += await primary.KeysAsync(pattern: pattern).AnyAsync() ? 1 : 0;
        }

        var listed = await redis.Brrr.Queue.ListTopicsAsync();

        Assert.Equal(3, shards);
        Assert.Equal(topics.Order(StringComparer.Ordinal), listed.Where(t => t.StartsWith(prefix, StringComparison.Ordinal)));
    }
}
