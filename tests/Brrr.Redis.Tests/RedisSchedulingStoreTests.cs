using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Redis.Tests;

/// <summary>
/// A child's first registration, call record and job in one script (<see cref="ISchedulingStore"/>): what it writes
/// is exactly what the three steps of PROTOCOL.md §5 write, in both layouts, and only on one Redis database.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSchedulingStoreTests(RedisFixture redis)
{
    private static readonly byte[] Payload = "[{\"n\":3}]"u8.ToArray();

    private static (Call Child, PendingReturn Return, ScheduleMessage Message, string Topic) Fresh()
    {
        var child = new Call("fib", Payload, "c" + Guid.NewGuid().ToString("N"));
        var root = "root-" + Guid.NewGuid().ToString("N");
        var topic = "topic-" + Guid.NewGuid().ToString("N");
        return (child, new PendingReturn(root, "p" + Guid.NewGuid().ToString("N"), topic), new ScheduleMessage(root, child.CallHash), topic);
    }

    [Theory]
    [InlineData(RedisLayout.Current)]
    [InlineData(RedisLayout.Legacy)]
    public async Task A_child_without_returns_is_registered_recorded_counted_and_pushed_in_one_step(RedisLayout layout)
    {
        var brrr = redis.For(layout);
        var keys = RedisFixture.KeysOf(layout);
        Assert.True(brrr.Store.CanScheduleWith(brrr.Cache, brrr.Queue));
        var jobs = new Jobs(brrr.Cache, brrr.Queue);
        var (child, pendingReturn, message, topic) = Fresh();

        var read = await new Memory(brrr.Store).ScheduleFirstAsync(brrr.Store, child, pendingReturn, jobs, topic, message, CancellationToken.None);

        Assert.Null(read);
        var returns = PendingReturns.Decode((byte[])(await redis.Raw.StringGetAsync(keys.Store(MemKey.PendingReturnsOf(child.CallHash))))!);
        Assert.Equal([pendingReturn], returns.Returns);
        Assert.NotNull(returns.ScheduledAt);
        Assert.Equal(CallRecord.Encode("fib", Payload), (byte[]?)await redis.Raw.StringGetAsync(keys.Store(MemKey.CallOf(child.CallHash))));
        Assert.Equal(1, (long)await redis.Raw.StringGetAsync(keys.Counter(message.RootId)));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(keys.Counter(message.RootId));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        Assert.Equal(message.ToWire(), (string?)await redis.Raw.ListLeftPopAsync(keys.Topic(topic)));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(keys.Topic(topic)));
    }

    [Fact]
    public async Task A_child_with_returns_gives_its_record_back_and_nothing_is_written_counted_or_pushed()
    {
        var brrr = redis.Brrr;
        var keys = RedisFixture.KeysOf(RedisLayout.Current);
        var (child, pendingReturn, message, topic) = Fresh();
        var held = new PendingReturns([new PendingReturn("other-root", "other-parent", topic)], 7).Encode();
        await redis.Raw.StringSetAsync(keys.Store(MemKey.PendingReturnsOf(child.CallHash)), held);

        var read = await new Memory(brrr.Store).ScheduleFirstAsync(brrr.Store, child, pendingReturn, new Jobs(brrr.Cache, brrr.Queue), topic, message, CancellationToken.None);

        Assert.Equal(held, read);
        Assert.Equal(held, (byte[]?)await redis.Raw.StringGetAsync(keys.Store(MemKey.PendingReturnsOf(child.CallHash))));
        Assert.False(await redis.Raw.KeyExistsAsync(keys.Store(MemKey.CallOf(child.CallHash))));
        Assert.False(await redis.Raw.KeyExistsAsync(keys.Counter(message.RootId)));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(keys.Topic(topic)));
    }

    [Fact]
    public async Task Over_the_spawn_limit_the_records_are_written_and_the_job_is_not_pushed()
    {
        var brrr = redis.Brrr;
        var keys = RedisFixture.KeysOf(RedisLayout.Current);
        var (child, pendingReturn, message, topic) = Fresh();
        await redis.Raw.StringSetAsync(keys.Counter(message.RootId), 2);

        var over = await Assert.ThrowsAsync<SpawnLimitException>(() =>
            new Memory(brrr.Store).ScheduleFirstAsync(brrr.Store, child, pendingReturn, new Jobs(brrr.Cache, brrr.Queue, spawnLimit: 2), topic, message, CancellationToken.None));

        Assert.Contains(message.RootId, over.Message, StringComparison.Ordinal);
        Assert.Equal(3, (long)await redis.Raw.StringGetAsync(keys.Counter(message.RootId)));
        Assert.True(await redis.Raw.KeyExistsAsync(keys.Store(MemKey.PendingReturnsOf(child.CallHash))));
        Assert.True(await redis.Raw.KeyExistsAsync(keys.Store(MemKey.CallOf(child.CallHash))));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(keys.Topic(topic)));
    }

    [Fact]
    public async Task A_call_record_over_the_limit_writes_nothing()
    {
        var brrr = redis.Brrr;
        var keys = RedisFixture.KeysOf(RedisLayout.Current);
        var (_, pendingReturn, message, topic) = Fresh();
        var big = new Call("fib", new byte[BrrrLimits.Default.MaxRecordBytes + 1], message.CallHash);

        await Assert.ThrowsAsync<SizeLimitException>(() =>
            new Memory(brrr.Store).ScheduleFirstAsync(brrr.Store, big, pendingReturn, new Jobs(brrr.Cache, brrr.Queue), topic, message, CancellationToken.None));

        Assert.False(await redis.Raw.KeyExistsAsync(keys.Store(MemKey.PendingReturnsOf(big.CallHash))));
        Assert.False(await redis.Raw.KeyExistsAsync(keys.Counter(message.RootId)));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(keys.Topic(topic)));
    }

    [Fact]
    public void A_cache_or_queue_elsewhere_or_counting_otherwise_keeps_the_three_steps()
    {
        var store = redis.Brrr.Store;
        var settings = RedisFixture.FastSettings(redis.Server.Configuration);
        Assert.False(store.CanScheduleWith(redis.Brrr.Cache, new InMemoryQueue()));
        Assert.False(store.CanScheduleWith(new InMemoryCache(), redis.Brrr.Queue));
        Assert.False(store.CanScheduleWith(new RedisCache(redis.Brrr.Multiplexer, settings with { Database = 3 }), redis.Brrr.Queue));
        Assert.False(store.CanScheduleWith(new RedisCache(redis.Brrr.Multiplexer, settings with { CounterExpiry = TimeSpan.FromMinutes(5) }), redis.Brrr.Queue));
        Assert.False(store.CanScheduleWith(redis.Legacy.Cache, redis.Legacy.Queue));
        Assert.False(new RedisStore(redis.Brrr.Multiplexer, settings with { Database = 3 }).CanScheduleWith(redis.Brrr.Cache, redis.Brrr.Queue));
    }
}
