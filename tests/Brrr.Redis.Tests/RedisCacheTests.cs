using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisCacheTests(RedisFixture redis)
{
    private static string FreshRoot() => "ttl-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_new_counter_expires_after_the_counter_expiry()
    {
        var root = FreshRoot();
        var key = RedisLayout.Current.SpawnCounter(root);
        await redis.Brrr.Cache.IncrAsync(root);
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task Incrementing_keeps_the_expiry_set_when_the_counter_was_created()
    {
        var root = FreshRoot();
        var key = RedisLayout.Current.SpawnCounter(root);
        await redis.Brrr.Cache.IncrAsync(root);
        await redis.Raw.KeyExpireAsync(key, TimeSpan.FromSeconds(100));
        Assert.Equal(2, await redis.Brrr.Cache.IncrAsync(root));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100));
    }

    [Fact]
    public async Task The_counter_expiry_comes_from_the_settings()
    {
        var settings = RedisFixture.FastSettings(redis.Server.Configuration) with { CounterExpiry = TimeSpan.FromMinutes(5) };
        var cache = new RedisCache(redis.Brrr.Multiplexer, settings);
        var root = FreshRoot();
        await cache.IncrAsync(root);
        var ttl = await redis.Raw.KeyTimeToLiveAsync(RedisLayout.Current.SpawnCounter(root));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_call_s_attempts_live_in_its_hash_tagged_key_with_the_given_expiry_in_both_layouts()
    {
        var hash = "h" + Guid.NewGuid().ToString("N");
        var key = $"brrr:{{{hash}}}:attempts";

        Assert.Equal(1, await redis.Brrr.Cache.IncrAttemptsAsync(hash, TimeSpan.FromMinutes(10)));
        Assert.Equal(2, await redis.Legacy.Cache.IncrAttemptsAsync(hash, TimeSpan.FromHours(5)));

        Assert.Equal(2, (long)await redis.Raw.StringGetAsync(key));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.False(await redis.Raw.KeyExistsAsync(RedisLayout.Current.SpawnCounter(hash)));
        await redis.Brrr.Cache.ClearAttemptsAsync(hash);
        Assert.False(await redis.Raw.KeyExistsAsync(key));
    }

    [Fact]
    public async Task A_cancel_mark_is_a_prefixed_key_that_expires_after_the_cancel_expiry()
    {
        var settings = RedisFixture.FastSettings(redis.Server.Configuration) with { CancelExpiry = TimeSpan.FromMinutes(5) };
        var cache = new RedisCache(redis.Brrr.Multiplexer, settings);
        var root = FreshRoot();
        await cache.CancelRootAsync(root);
        var ttl = await redis.Raw.KeyTimeToLiveAsync(settings.KeyPrefix + "cancelled:" + root);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void The_cancel_expiry_defaults_to_seven_days()
    {
        Assert.Equal(TimeSpan.FromDays(7), RedisBrrrSettings.Default.CancelExpiry);
        var error = Assert.Throws<ArgumentException>(() => new RedisCache(redis.Brrr.Multiplexer, RedisFixture.FastSettings(redis.Server.Configuration) with { CancelExpiry = TimeSpan.Zero }));
        Assert.Contains("CancelExpiry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_root_s_trace_context_is_a_prefixed_string_key_that_expires_with_the_spawn_counter()
    {
        var settings = RedisFixture.FastSettings(redis.Server.Configuration) with { CounterExpiry = TimeSpan.FromMinutes(5) };
        var cache = new RedisCache(redis.Brrr.Multiplexer, settings);
        var root = FreshRoot();
        const string traceContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        await cache.SetRootTraceAsync(root, traceContext);

        var key = settings.KeyPrefix + "trace:" + root;
        Assert.Equal(traceContext, (string?)await redis.Raw.StringGetAsync(key));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Equal(traceContext, await redis.Legacy.Cache.GetRootTraceAsync(root));
    }

    [Fact]
    public async Task Jobs_on_one_redis_are_counted_and_pushed_in_one_step_exactly_as_put_job_writes_them()
    {
        var jobs = new Jobs(redis.Brrr.Cache, redis.Brrr.Queue, spawnLimit: 2);
        Assert.True(jobs.CountsAndPushesAtOnce);
        var root = "root-" + Guid.NewGuid().ToString("N");
        var topic = "topic-" + Guid.NewGuid().ToString("N");

        await jobs.PutAsync(topic, new ScheduleMessage(root, "c1"));
        await jobs.PutAsync(topic, new ScheduleMessage(root, "c2"));
        var over = await Assert.ThrowsAsync<SpawnLimitException>(() => jobs.PutAsync(topic, new ScheduleMessage(root, "c3")));

        Assert.Contains(root, over.Message, StringComparison.Ordinal);
        Assert.Equal(3, (long)await redis.Raw.StringGetAsync(RedisLayout.Current.SpawnCounter(root)));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(RedisLayout.Current.SpawnCounter(root));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        Assert.Equal(new ScheduleMessage(root, "c1"), ScheduleMessage.Decode((byte[]?)await redis.Raw.ListLeftPopAsync(RedisLayout.Current.TopicList(topic))));
        Assert.Equal(new ScheduleMessage(root, "c2"), ScheduleMessage.Decode((byte[]?)await redis.Raw.ListLeftPopAsync(RedisLayout.Current.TopicList(topic))));
        Assert.True((await redis.Raw.ListLeftPopAsync(RedisLayout.Current.TopicList(topic))).IsNull);
    }

    [Fact]
    public void A_cache_and_a_queue_on_different_connections_keep_the_two_step_put_job()
    {
        Assert.False(new Jobs(redis.Brrr.Cache, new InMemoryQueue()).CountsAndPushesAtOnce);
        var otherDatabase = new RedisQueue(redis.Brrr.Multiplexer, RedisFixture.FastSettings(redis.Server.Configuration) with { Database = 3 });
        Assert.False(new Jobs(redis.Brrr.Cache, otherDatabase).CountsAndPushesAtOnce);
    }

    [Fact]
    public async Task A_schedule_tick_s_claim_expires_and_its_last_tick_stays_under_the_schedule_s_brrr_keys()
    {
        var schedule = "nightly-" + Guid.NewGuid().ToString("N")[..8];
        var tick = new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);

        Assert.True(await redis.Brrr.Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)));

        var ttl = await redis.Raw.KeyTimeToLiveAsync($"brrr:schedule:{{{schedule}}}:tick:1767236400000");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Equal("1767236400000", (string?)await redis.Raw.StringGetAsync($"brrr:schedule:{{{schedule}}}:last"));
        Assert.Null(await redis.Raw.KeyTimeToLiveAsync($"brrr:schedule:{{{schedule}}}:last"));
    }
}
