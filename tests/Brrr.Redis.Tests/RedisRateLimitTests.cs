using Brrr.Backends;

namespace Brrr.Redis.Tests;

/// <summary>The rate-limit script: GCRA with reservations over the server's clock, its key layout and expiry.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRateLimitTests(RedisFixture redis)
{
    private IRateLimiter Limiter => (IRateLimiter)redis.Brrr.Cache;

    [Fact]
    public async Task The_first_call_starts_now_and_the_next_ones_get_reservations_one_interval_apart()
    {
        var scope = new RateLimitScope("topic:r" + Guid.NewGuid().ToString("N"), RateLimit.Parse("60/min"));

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            waits.Add(await Limiter.AcquireAsync([scope], "ticket-" + i));
        }

        Assert.Equal(TimeSpan.Zero, waits[0]);
        Assert.InRange(waits[1], TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        Assert.InRange(waits[3] - waits[1], TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_call_that_comes_back_at_its_reservation_starts_without_being_counted_again()
    {
        var scope = new RateLimitScope("task:r" + Guid.NewGuid().ToString("N"), RateLimit.Parse("10/s"));
        Assert.Equal(TimeSpan.Zero, await Limiter.AcquireAsync([scope], "first"));
        var wait = await Limiter.AcquireAsync([scope], "second");

        await Task.Delay(wait + TimeSpan.FromMilliseconds(20));

        Assert.Equal(TimeSpan.Zero, await Limiter.AcquireAsync([scope], "second"));
        var third = await Limiter.AcquireAsync([scope], "third");
        Assert.InRange(third, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task The_state_and_the_reservations_live_under_one_hash_tag_and_expire()
    {
        var name = "topic:r" + Guid.NewGuid().ToString("N");
        var scope = new RateLimitScope(name, RateLimit.Parse("1/s"));
        await Limiter.AcquireAsync([scope], "a");
        await Limiter.AcquireAsync([scope], "b");

        var prefix = RedisBrrrSettings.Default.KeyPrefix;
        var state = await redis.Raw.KeyTimeToLiveAsync($"{prefix}{{ratelimit}}:{name}");
        var grant = await redis.Raw.KeyTimeToLiveAsync($"{prefix}{{ratelimit}}:{name}:grant:b");
        Assert.NotNull(state);
        Assert.InRange(state.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
        Assert.NotNull(grant);
        Assert.InRange(grant.Value, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(11));
        Assert.False(await redis.Raw.KeyExistsAsync($"{prefix}{{ratelimit}}:{name}:grant:a"), "a call that started at once reserves nothing");
    }

    [Fact]
    public async Task A_call_counted_in_a_topic_and_a_task_waits_for_the_later_of_the_two()
    {
        var topic = new RateLimitScope("topic:r" + Guid.NewGuid().ToString("N"), RateLimit.Parse("100/s"));
        var task = new RateLimitScope("task:r" + Guid.NewGuid().ToString("N"), RateLimit.Parse("1/min"));
        Assert.Equal(TimeSpan.Zero, await Limiter.AcquireAsync([topic, task], "x"));

        var wait = await Limiter.AcquireAsync([topic, task], "y");

        Assert.InRange(wait, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
    }
}
