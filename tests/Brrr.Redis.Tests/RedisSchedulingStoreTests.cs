using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Redis.Tests;

/// <summary>
/// A child's first registration, call record and job in one script, and a value's returns with the removal of their
/// record (<see cref="ISchedulingStore"/>): what they write is exactly what the steps of PROTOCOL.md §5 write, in both
/// layouts, and only on one Redis database.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSchedulingStoreTests(RedisFixture redis)
{
    private static readonly byte[] Payload = "[{\"n\":3}]"u8.ToArray();
    private static readonly RedisKeys Keys = RedisFixture.KeysOf(RedisLayout.Current);

    /// <summary>The one-step scheduling of <paramref name="child"/> on the current layout's backends.</summary>
    private Task<(byte[]? Current, byte[] Written)> ScheduleFirstAsync(
        Call child, PendingReturn pendingReturn, ScheduleMessage message, string topic, long spawnLimit = BrrrClient.DefaultSpawnLimit) =>
        new Memory(redis.Brrr.Store).ScheduleFirstAsync(
            redis.Brrr.Store, child, pendingReturn, new Jobs(redis.Brrr.Cache, redis.Brrr.Queue, spawnLimit), topic, message, CancellationToken.None);

    private static (Call Child, PendingReturn Return, ScheduleMessage Message, string Topic) Fresh()
    {
        var child = new Call("fib", Payload, "c" + Guid.NewGuid().ToString("N"));
        var root = "root-" + Guid.NewGuid().ToString("N");
        var topic = "topic-" + Guid.NewGuid().ToString("N");
        return (child, new PendingReturn(root, "p" + Guid.NewGuid().ToString("N"), topic), new ScheduleMessage(root, child.CallHash), topic);
    }

    /// <summary>Asserts that no job of <paramref name="message"/>'s root was counted and none pushed on <paramref name="topic"/>.</summary>
    private async Task AssertNothingCountedOrPushedAsync(ScheduleMessage message, string topic)
    {
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Counter(message.RootId)));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(Keys.Topic(topic)));
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

        var (read, written) = await new Memory(brrr.Store).ScheduleFirstAsync(brrr.Store, child, pendingReturn, jobs, topic, message, CancellationToken.None);

        Assert.Null(read);
        var stored = (byte[])(await redis.Raw.StringGetAsync(keys.Store(MemKey.PendingReturnsOf(child.CallHash))))!;
        Assert.Equal(written, stored);
        var returns = PendingReturns.Decode(stored);
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
        var (child, pendingReturn, message, topic) = Fresh();
        var held = new PendingReturns([new PendingReturn("other-root", "other-parent", topic)], 7).Encode();
        await redis.Raw.StringSetAsync(Keys.Store(MemKey.PendingReturnsOf(child.CallHash)), held);

        var (read, _) = await ScheduleFirstAsync(child, pendingReturn, message, topic);

        Assert.Equal(held, read);
        Assert.Equal(held, (byte[]?)await redis.Raw.StringGetAsync(Keys.Store(MemKey.PendingReturnsOf(child.CallHash))));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Store(MemKey.CallOf(child.CallHash))));
        await AssertNothingCountedOrPushedAsync(message, topic);
    }

    [Fact]
    public async Task Parents_racing_to_register_on_one_new_child_push_one_job_and_every_return_is_held()
    {
        var brrr = redis.Brrr;
        var memory = new Memory(brrr.Store);
        var jobs = new Jobs(brrr.Cache, brrr.Queue);
        var (child, _, message, topic) = Fresh();
        var parents = Enumerable.Range(0, 24).Select(i => new PendingReturn(message.RootId, $"parent-{i}", topic)).ToArray();

        var scheduled = await Task.WhenAll(parents.Select(async parent =>
        {
            await Task.Yield();
            var (read, _) = await memory.ScheduleFirstAsync(brrr.Store, child, parent, jobs, topic, message, CancellationToken.None);
            return read is null || await memory.AddPendingReturnAsync(child.CallHash, parent, forceSchedule: false, read, CancellationToken.None);
        }));

        Assert.Equal(1, scheduled.Count(s => s));
        var held = PendingReturns.Decode((byte[])(await redis.Raw.StringGetAsync(Keys.Store(MemKey.PendingReturnsOf(child.CallHash))))!);
        Assert.True(held.Returns.SetEquals(parents));
        Assert.Equal(1, (long)await redis.Raw.StringGetAsync(Keys.Counter(message.RootId)));
        Assert.Equal(1, await redis.Raw.ListLengthAsync(Keys.Topic(topic)));
    }

    [Fact]
    public async Task Over_the_spawn_limit_the_records_are_written_and_the_job_is_not_pushed()
    {
        var (child, pendingReturn, message, topic) = Fresh();
        await redis.Raw.StringSetAsync(Keys.Counter(message.RootId), 2);

        var over = await Assert.ThrowsAsync<SpawnLimitException>(() => ScheduleFirstAsync(child, pendingReturn, message, topic, spawnLimit: 2));

        Assert.Contains(message.RootId, over.Message, StringComparison.Ordinal);
        Assert.Equal(3, (long)await redis.Raw.StringGetAsync(Keys.Counter(message.RootId)));
        Assert.True(await redis.Raw.KeyExistsAsync(Keys.Store(MemKey.PendingReturnsOf(child.CallHash))));
        Assert.True(await redis.Raw.KeyExistsAsync(Keys.Store(MemKey.CallOf(child.CallHash))));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(Keys.Topic(topic)));
    }

    [Fact]
    public async Task A_call_record_over_the_limit_writes_nothing()
    {
        var (_, pendingReturn, message, topic) = Fresh();
        var big = new Call("fib", new byte[BrrrLimits.Default.MaxRecordBytes + 1], message.CallHash);

        await Assert.ThrowsAsync<SizeLimitException>(() => ScheduleFirstAsync(big, pendingReturn, message, topic));

        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Store(MemKey.PendingReturnsOf(big.CallHash))));
        await AssertNothingCountedOrPushedAsync(message, topic);
    }

    [Fact]
    public async Task Returns_are_counted_and_pushed_then_their_unchanged_record_is_deleted_in_one_step()
    {
        var brrr = redis.Brrr;
        var (child, first, _, topic) = Fresh();
        var second = new PendingReturn("root-" + Guid.NewGuid().ToString("N"), "p2", topic + "-2");
        var record = new PendingReturns([first, second], 7).Encode();
        var key = MemKey.PendingReturnsOf(child.CallHash);
        await redis.Raw.StringSetAsync(Keys.Store(key), record);
        var jobs = new[] { first, second }.Select(r => (r.RootId, r.Topic, new ScheduleMessage(r.RootId, r.CallHash).ToWire())).ToArray();

        var (counts, deleted) = await brrr.Store.PushThenDeleteIfAsync(jobs, 10, key, record);

        Assert.Equal([1L, 1L], counts);
        Assert.True(deleted);
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Store(key)));
        Assert.Equal(jobs[0].Item3, (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(first.Topic)));
        Assert.Equal(jobs[1].Item3, (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(second.Topic)));
    }

    [Fact]
    public async Task Returns_are_pushed_and_a_record_that_changed_is_kept_and_a_job_over_the_limit_is_not_pushed()
    {
        var brrr = redis.Brrr;
        var (child, pendingReturn, message, topic) = Fresh();
        var key = MemKey.PendingReturnsOf(child.CallHash);
        var read = new PendingReturns([pendingReturn], 7).Encode();
        var now = new PendingReturns([pendingReturn, new PendingReturn(message.RootId, "late", topic)], 7).Encode();
        await redis.Raw.StringSetAsync(Keys.Store(key), now);
        await redis.Raw.StringSetAsync(Keys.Counter(message.RootId), 5);
        var wire = new ScheduleMessage(message.RootId, pendingReturn.CallHash).ToWire();

        var (counts, deleted) = await brrr.Store.PushThenDeleteIfAsync([(message.RootId, topic, wire), (message.RootId, topic, wire)], 6, key, read);

        Assert.Equal([6L, 7L], counts);
        Assert.False(deleted);
        Assert.Equal(now, (byte[]?)await redis.Raw.StringGetAsync(Keys.Store(key)));
        Assert.Equal(1, await redis.Raw.ListLengthAsync(Keys.Topic(topic)));
    }

    [Fact]
    public async Task A_value_s_returns_wake_each_live_root_s_parent_drop_a_cancelled_one_s_and_raise_the_spawn_limit_after_the_rest()
    {
        var brrr = redis.Brrr;
        var jobs = new Jobs(brrr.Cache, brrr.Queue, spawnLimit: 3);
        var processor = new CallProcessor(new Memory(brrr.Store), jobs, global::Brrr.Codecs.JsonCodec.Default);
        var (child, live, _, topic) = Fresh();
        var cancelled = new PendingReturn("root-" + Guid.NewGuid().ToString("N"), "p-cancelled", topic);
        var limited = new PendingReturn("root-" + Guid.NewGuid().ToString("N"), "p-limited", topic);
        foreach (var pendingReturn in new[] { live, cancelled, limited })
        {
            await processor.Memory.AddPendingReturnAsync(child.CallHash, pendingReturn);
        }

        await brrr.Cache.CancelRootAsync(cancelled.RootId);
        await redis.Raw.StringSetAsync(Keys.Counter(limited.RootId), 3);

        var over = await Assert.ThrowsAsync<SpawnLimitException>(() => processor.ReturnValueAsync(child.CallHash, "42"u8.ToArray()));

        Assert.Contains(limited.RootId, over.Message, StringComparison.Ordinal);
        Assert.Equal("42"u8.ToArray(), (byte[]?)await redis.Raw.StringGetAsync(Keys.Store(MemKey.ValueOf(child.CallHash))));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Store(MemKey.PendingReturnsOf(child.CallHash))));
        Assert.Equal(new ScheduleMessage(live.RootId, live.CallHash).ToWire(), (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(topic)));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(Keys.Topic(topic)));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Counter(cancelled.RootId)));
    }

    [Fact]
    public async Task A_value_is_written_and_its_one_expected_return_sent_and_removed_in_one_step_or_only_written()
    {
        var brrr = redis.Brrr;
        var (child, pendingReturn, message, topic) = Fresh();
        var returnsKey = MemKey.PendingReturnsOf(child.CallHash);
        var valueKey = MemKey.ValueOf(child.CallHash);
        var expected = new PendingReturns([pendingReturn], 7).Encode();
        var other = new PendingReturns([pendingReturn], 8).Encode();
        var wake = new ScheduleMessage(message.RootId, pendingReturn.CallHash).ToWire();

        Assert.Equal((false, (byte[]?)null, 0L), await brrr.Store.SetThenPushIfAsync(valueKey, "1"u8.ToArray(), returnsKey, expected, message.RootId, 10, topic, wake));
        Assert.Equal("1"u8.ToArray(), (byte[]?)await redis.Raw.StringGetAsync(Keys.Store(valueKey)));

        await redis.Raw.StringSetAsync(Keys.Store(returnsKey), other);
        var (sent, current, _) = await brrr.Store.SetThenPushIfAsync(valueKey, "2"u8.ToArray(), returnsKey, expected, message.RootId, 10, topic, wake);
        Assert.False(sent);
        Assert.Equal(other, current);
        Assert.Equal("2"u8.ToArray(), (byte[]?)await redis.Raw.StringGetAsync(Keys.Store(valueKey)));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(Keys.Topic(topic)));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Counter(message.RootId)));

        await redis.Raw.StringSetAsync(Keys.Store(returnsKey), expected);
        Assert.Equal((true, (byte[]?)null, 1L), await brrr.Store.SetThenPushIfAsync(valueKey, "3"u8.ToArray(), returnsKey, expected, message.RootId, 10, topic, wake));
        Assert.Equal("3"u8.ToArray(), (byte[]?)await redis.Raw.StringGetAsync(Keys.Store(valueKey)));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Store(returnsKey)));
        Assert.Equal(wake, (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(topic)));
    }

    public sealed record N(int X);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_child_scheduled_here_wakes_its_one_parent_with_its_value_in_one_request_and_else_every_parent(bool secondParent)
    {
        var store = new SchedulingCallsStore(redis.Brrr.Store);
        var client = new BrrrClient(store, redis.Brrr.Cache, redis.Brrr.Queue);
        var processor = new CallProcessor(client.Memory, client.Jobs, JsonCodec.Default, new BoundedCache<byte[]>(10), new BoundedCache<Call>(10));
        var topic = "topic-" + Guid.NewGuid().ToString("N");
        // Task names of this run only: nothing is memoized from another test's run on the shared server.
        var salt = Random.Shared.Next(1000);
        var leaf = BrrrTask.Create<N, int>("leaf-" + topic, (_, n) => Task.FromResult(n.X + 1));
        var parent = BrrrTask.Create<N, int>("parent-" + topic, async (ctx, n) => await ctx.Call(leaf, new N(salt)) * n.X);
        var tasks = new TaskSet(parent, leaf);
        await using var consumer = redis.Brrr.Queue.CreateConsumer(topic);
        async Task<CallOutcome> HandleAsync(QueueDelivery delivery)
        {
            var outcome = await processor.ExecuteAsync(await processor.LoadAsync(delivery), tasks, processor.ApplyEffectAsync);
            await consumer.AckAsync(delivery);
            return outcome;
        }

        async Task<CallOutcome> NextAsync() => await HandleAsync((await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)))!);

        await client.ScheduleAsync(parent, new N(2), topic);
        Assert.IsType<CallDeferred>(await NextAsync());
        var leafJob = (await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)))!;
        if (secondParent)
        {
            // Another parent registers on the child before it completes: the record is no longer the one it was scheduled with.
            await client.ScheduleAsync(parent, new N(3), topic);
            Assert.IsType<CallDeferred>(await NextAsync());
        }

        Assert.IsType<CallCompleted>(await HandleAsync(leafJob));
        Assert.Equal(1, store.SetThenPushIfCalls);
        Assert.Equal(secondParent ? 0 : 1, store.Sent);
        Assert.IsType<CallCompleted>(await NextAsync());
        if (secondParent)
        {
            Assert.IsType<CallCompleted>(await NextAsync());
            Assert.Equal(new ReadResult<int>(true, (salt + 1) * 3), await client.ReadAsync(parent, new N(3)));
        }

        Assert.Equal(new ReadResult<int>(true, (salt + 1) * 2), await client.ReadAsync(parent, new N(2)));
        var leafHash = JsonCodec.Default.EncodeCall(leaf.Name, new N(salt)).CallHash;
        Assert.Null(await client.Memory.GetPendingReturnsAsync(leafHash));
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.Zero));
    }

    /// <summary>The Redis store, counting its one-step writes of a value with its expected return.</summary>
    private sealed class SchedulingCallsStore(RedisStore inner) : ForwardingStore(inner), ISchedulingStore
    {
        private int _calls;
        private int _sent;

        public int SetThenPushIfCalls => Volatile.Read(ref _calls);

        public int Sent => Volatile.Read(ref _sent);

        public bool CanScheduleWith(ICache cache, IQueue queue) => inner.CanScheduleWith(cache, queue);

        public Task<(byte[]? Current, long Count)> SetNewAndPushAsync(
            MemKey key, byte[] value, MemKey companion, byte[] companionValue, string rootId, long limit, string topic, string message,
            CancellationToken cancellationToken = default) =>
            inner.SetNewAndPushAsync(key, value, companion, companionValue, rootId, limit, topic, message, cancellationToken);

        public Task<(long[] Counts, bool Deleted)> PushThenDeleteIfAsync(
            IReadOnlyList<(string RootId, string Topic, string Message)> jobs, long limit, MemKey key, byte[] expected,
            CancellationToken cancellationToken = default) =>
            inner.PushThenDeleteIfAsync(jobs, limit, key, expected, cancellationToken);

        public async Task<(bool Sent, byte[]? Current, long Count)> SetThenPushIfAsync(
            MemKey valueKey, byte[] value, MemKey returnsKey, byte[] expected, string rootId, long limit, string topic, string message,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            var result = await inner.SetThenPushIfAsync(valueKey, value, returnsKey, expected, rootId, limit, topic, message, cancellationToken);
            if (result.Sent)
            {
                Interlocked.Increment(ref _sent);
            }

            return result;
        }
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
