using Brrr.Backends;

namespace Brrr.Contracts;

/// <summary>The conformance suite of <see cref="ICache"/>: every cache backend subclasses it unchanged.</summary>
public abstract class CacheContract
{
    private readonly Lazy<ICache> _cache;

    /// <summary>The cache under test; created once per test.</summary>
    protected ICache Cache => _cache.Value;

    /// <summary>Sets up the suite; the backend is created once, on first use, even when tests use it from many threads.</summary>
    protected CacheContract() => _cache = new Lazy<ICache>(CreateCache, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates the cache under test.</summary>
    protected abstract ICache CreateCache();

    private static string FreshKey() => "test-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Incr_counts_from_one()
    {
        var key = FreshKey();
        Assert.Equal(1, await Cache.IncrAsync(key));
        Assert.Equal(2, await Cache.IncrAsync(key));
        Assert.Equal(3, await Cache.IncrAsync(key));
    }

    [Fact]
    public async Task Counters_are_independent()
    {
        var a = FreshKey();
        var b = FreshKey();
        await Cache.IncrAsync(a);
        await Cache.IncrAsync(a);
        Assert.Equal(1, await Cache.IncrAsync(b));
        Assert.Equal(3, await Cache.IncrAsync(a));
    }

    [Fact]
    public async Task Concurrent_increments_each_get_a_distinct_value()
    {
        var key = FreshKey();
        var values = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => Cache.IncrAsync(key))));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), values.Order());
    }

    [Fact]
    public async Task Attempt_counts_are_per_call_hash_apart_from_spawn_counters_and_clear_to_zero()
    {
        var hash = FreshKey();
        var expiry = TimeSpan.FromMinutes(5);
        Assert.Equal(1, await Cache.IncrAttemptsAsync(hash, expiry));
        Assert.Equal(2, await Cache.IncrAttemptsAsync(hash, expiry));
        Assert.Equal(1, await Cache.IncrAsync(hash));
        Assert.Equal(1, await Cache.IncrAttemptsAsync(FreshKey(), expiry));

        await Cache.ClearAttemptsAsync(hash);

        Assert.Equal(1, await Cache.IncrAttemptsAsync(hash, expiry));
    }

    [Fact]
    public async Task A_root_is_not_cancelled_until_it_is_cancelled()
    {
        var root = FreshKey();
        Assert.False(await Cache.IsRootCancelledAsync(root));
        await Cache.CancelRootAsync(root);
        Assert.True(await Cache.IsRootCancelledAsync(root));
    }

    [Fact]
    public async Task Cancelling_a_root_twice_keeps_it_cancelled()
    {
        var root = FreshKey();
        await Cache.CancelRootAsync(root);
        await Cache.CancelRootAsync(root);
        Assert.True(await Cache.IsRootCancelledAsync(root));
    }

    [Fact]
    public async Task A_cancel_touches_only_its_root_and_not_the_spawn_counters()
    {
        var cancelled = FreshKey();
        var other = FreshKey();
        await Cache.IncrAsync(cancelled);
        await Cache.CancelRootAsync(cancelled);

        Assert.False(await Cache.IsRootCancelledAsync(other));
        Assert.Equal(2, await Cache.IncrAsync(cancelled));
        Assert.Equal(1, await Cache.IncrAsync(other));
        Assert.False(await Cache.IsRootCancelledAsync(other));
    }

    [Fact]
    public async Task A_root_has_no_trace_context_until_one_is_set_and_then_reads_it_back_as_written()
    {
        var root = FreshKey();
        const string traceContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\nvendor=abc,other=x y";
        Assert.Null(await Cache.GetRootTraceAsync(root));

        await Cache.SetRootTraceAsync(root, traceContext);

        Assert.Equal(traceContext, await Cache.GetRootTraceAsync(root));
        Assert.Null(await Cache.GetRootTraceAsync(FreshKey()));
    }

    [Fact]
    public async Task Setting_a_root_s_trace_context_again_replaces_it_and_touches_neither_its_counter_nor_its_cancel_mark()
    {
        var root = FreshKey();
        await Cache.SetRootTraceAsync(root, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\nvendor=abc");
        await Cache.SetRootTraceAsync(root, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");

        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", await Cache.GetRootTraceAsync(root));
        Assert.Equal(1, await Cache.IncrAsync(root));
        Assert.False(await Cache.IsRootCancelledAsync(root));
    }

    [Fact]
    public async Task A_schedule_tick_is_claimed_once_and_becomes_the_schedule_s_last_tick()
    {
        var schedule = FreshKey();
        var tick = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.Null(await Cache.GetScheduleLastTickAsync(schedule));

        Assert.True(await Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)));
        Assert.False(await Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)));

        Assert.Equal(tick, await Cache.GetScheduleLastTickAsync(schedule));
        Assert.Null(await Cache.GetScheduleLastTickAsync(FreshKey()));
    }

    [Fact]
    public async Task A_schedule_tick_before_the_last_claimed_one_is_never_claimed_and_leaves_the_last_tick()
    {
        var schedule = FreshKey();
        var tick = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.True(await Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)));

        Assert.False(await Cache.ClaimScheduleTickAsync(schedule, tick.AddSeconds(-1), TimeSpan.FromMinutes(5)));
        Assert.True(await Cache.ClaimScheduleTickAsync(schedule, tick.AddSeconds(1), TimeSpan.FromMinutes(5)));

        Assert.Equal(tick.AddSeconds(1), await Cache.GetScheduleLastTickAsync(schedule));
    }

    [Fact]
    public async Task Of_many_concurrent_claims_of_a_schedule_tick_exactly_one_wins_and_schedules_are_independent()
    {
        var (schedule, other) = (FreshKey(), FreshKey());
        var tick = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

        var claims = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)))));

        Assert.Single(claims, claimed => claimed);
        Assert.True(await Cache.ClaimScheduleTickAsync(other, tick, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_claimed_tick_is_unpushed_until_marked_and_is_taken_once_per_grace_earliest_first()
    {
        var schedule = FreshKey();
        var tick = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var (t1, t2, t3) = (tick, tick.AddSeconds(1), tick.AddSeconds(2));
        foreach (var t in new[] { t1, t2, t3 })
        {
            Assert.True(await Cache.ClaimScheduleTickAsync(schedule, t, TimeSpan.FromMinutes(5)));
        }

        await Cache.MarkScheduleTickPushedAsync(schedule, t2);

        Assert.Empty(await Cache.TakeUnpushedScheduleTicksAsync(schedule, TimeSpan.FromHours(1), 10));
        Assert.Equal([t1], await Cache.TakeUnpushedScheduleTicksAsync(schedule, TimeSpan.Zero, 1));
        Assert.Equal([t1, t3], await Cache.TakeUnpushedScheduleTicksAsync(schedule, TimeSpan.Zero, 10));

        // A take holds the ticks for another grace: a second caller does not get them.
        Assert.Empty(await Cache.TakeUnpushedScheduleTicksAsync(schedule, TimeSpan.FromHours(1), 10));
        Assert.Empty(await Cache.TakeUnpushedScheduleTicksAsync(FreshKey(), TimeSpan.Zero, 10));

        await Cache.MarkScheduleTickPushedAsync(schedule, t1);
        await Cache.MarkScheduleTickPushedAsync(schedule, t3);
        Assert.Empty(await Cache.TakeUnpushedScheduleTicksAsync(schedule, TimeSpan.Zero, 10));
    }
}
