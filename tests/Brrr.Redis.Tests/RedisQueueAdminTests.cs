using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Redis.Tests;

/// <summary>What <see cref="IQueueAdmin"/> tells on Redis beyond the contract: heartbeat ages, dead consumers, layouts.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisQueueAdminTests(RedisFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Ttl = RedisFixture.FastSettings("unused").HeartbeatTtl;

    private static string FreshTopic() => "admin-redis-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_consumer_whose_heartbeat_expired_shows_as_dead_with_what_it_still_holds()
    {
        var topic = FreshTopic();
        var admin = (IQueueAdmin)redis.Brrr.Queue;
        await redis.Brrr.Queue.PushAsync(topic, "held-by-the-dead");
        await redis.Brrr.Queue.PushAsync(topic, "held-by-the-living");
        var dying = (RedisQueueConsumer)redis.Brrr.Queue.CreateConsumer(topic);
        Assert.Equal("held-by-the-dead", (await dying.ReceiveAsync(Wait))?.Message);
        await dying.AbandonAsync();

        await Eventually.HoldsAsync(
            async () => (await admin.GetTopicAsync(topic)).Consumers.Any(c => c.Id == dying.Id && !c.Alive),
            "the abandoned consumer shows as dead", Ttl * 10);
        var dead = (await admin.GetTopicAsync(topic)).Consumers.Single(c => c.Id == dying.Id);
        Assert.Equal(1, dead.Held);
        Assert.Null(dead.SinceHeartbeat);
        Assert.Equal(["held-by-the-dead"], await admin.GetHeldAsync(topic, dying.Id));

        // A live consumer of the topic gives back what the dead one held; its own heartbeat is younger than its time to live.
        await using var living = (RedisQueueConsumer)redis.Brrr.Queue.CreateConsumer(topic);
        var received = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var delivery = await living.ReceiveAsync(Wait);
            Assert.NotNull(delivery);
            received.Add(delivery.Message);
        }

        Assert.Equal(["held-by-the-dead", "held-by-the-living"], received.Order(StringComparer.Ordinal));
        var snapshot = await admin.GetTopicAsync(topic);
        var alive = Assert.Single(snapshot.Consumers);
        Assert.Equal(living.Id, alive.Id);
        Assert.True(alive.Alive);
        Assert.Equal(2, alive.Held);
        Assert.NotNull(alive.SinceHeartbeat);
        Assert.InRange(alive.SinceHeartbeat.Value, TimeSpan.Zero, Ttl);
    }

    [Fact]
    public async Task A_consumers_heartbeat_carries_what_it_acknowledged_and_an_older_consumers_bare_heartbeat_has_no_history()
    {
        var topic = FreshTopic();
        var admin = (IQueueAdmin)redis.Brrr.Queue;
        for (var i = 0; i < 3; i++)
        {
            await redis.Brrr.Queue.PushAsync(topic, $"job-{i}");
        }

        await using var consumer = (RedisQueueConsumer)redis.Brrr.Queue.CreateConsumer(topic);
        for (var i = 0; i < 3; i++)
        {
            var delivery = await consumer.ReceiveAsync(Wait);
            Assert.NotNull(delivery);
            await consumer.AckAsync(delivery);
        }

        await Eventually.HoldsAsync(
            async () => (await admin.GetTopicAsync(topic)).Consumers.Single().Acks?.CountOver(TimeSpan.FromMinutes(1)) == 3,
            "the next heartbeat carries the three acknowledgements", Ttl * 10);
        var acks = (await admin.GetTopicAsync(topic)).Consumers.Single().Acks!;
        Assert.Equal(AckCounter.BucketLength, acks.Bucket);
        Assert.Equal(AckCounter.Buckets, acks.Counts.Count);
        Assert.Equal(0, acks.Start.ToUnixTimeSeconds() % 10);
        Assert.Equal(3, acks.Counts.Sum());

        // A consumer of an earlier version writes 1: it shows alive, with no history.
        var old = "old-" + Guid.NewGuid().ToString("N");
        var keys = new RedisKeys(redis.Brrr.Settings.KeyPrefix, redis.Brrr.Settings.Layout);
        await redis.Brrr.Multiplexer.GetDatabase(redis.Brrr.Settings.Database).StringSetAsync(keys.Heartbeat(topic, old), "1", Ttl);
        await redis.Brrr.Multiplexer.GetDatabase(redis.Brrr.Settings.Database).SetAddAsync(keys.Consumers(topic), old);
        var older = (await admin.GetTopicAsync(topic)).Consumers.Single(c => c.Id == old);
        Assert.True(older.Alive);
        Assert.Null(older.Acks);
    }

    [Theory]
    [InlineData(RedisLayout.Current)]
    [InlineData(RedisLayout.Legacy)]
    public async Task Each_layout_lists_its_own_topics_and_not_bookkeeping_or_store_keys(RedisLayout layout)
    {
        var brrr = redis.For(layout);
        var topic = FreshTopic();
        await brrr.Queue.PushAsync(topic, "m");
        await using var consumer = brrr.Queue.CreateConsumer(topic);
        Assert.Equal("m", (await consumer.ReceiveAsync(Wait))?.Message);
        await brrr.Store.SetAsync(new MemKey(MemKeyType.Value, "admin-" + topic), [1]);

        var topics = await ((IQueueAdmin)brrr.Queue).ListTopicsAsync();
        Assert.Contains(topic, topics);
        Assert.DoesNotContain(topics, t => t.Contains("inflight", StringComparison.Ordinal) || t.Contains("admin-" + topic, StringComparison.Ordinal));
        if (layout == RedisLayout.Current)
        {
            Assert.All(topics, t => Assert.False(t.StartsWith("brrr/messages/", StringComparison.Ordinal), $"{t} keeps the list's prefix"));
        }
    }

    [Fact]
    public async Task Listing_topics_with_Redis_down_fails_instead_of_listing_none()
    {
        using var server = Brrr.Contracts.Servers.RedisServer.Start();
        await using var brrr = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        await brrr.Queue.PushAsync("down", "m");
        Assert.Equal(["down"], await ((IQueueAdmin)brrr.Queue).ListTopicsAsync());

        server.Kill();
        await Eventually.HoldsAsync(() => Task.FromResult(!brrr.Multiplexer.IsConnected), "the connection sees Redis gone");

        var error = await Assert.ThrowsAsync<StackExchange.Redis.RedisConnectionException>(() => ((IQueueAdmin)brrr.Queue).ListTopicsAsync());
        Assert.Contains($"Redis at {server.Configuration} is not connected", error.Message, StringComparison.Ordinal);
    }
}
