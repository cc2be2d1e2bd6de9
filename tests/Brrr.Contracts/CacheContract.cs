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
}
