using Brrr.Backends;

namespace Brrr.Tests;

public sealed class CancelledRootsTests
{
    [Fact]
    public async Task A_root_checked_twice_within_the_interval_costs_one_cache_read()
    {
        var cache = new CancelReadCountingCache(new InMemoryCache());
        var clock = new TickClock();
        var roots = new CancelledRoots(cache, TimeSpan.FromSeconds(1), time: clock);

        Assert.False(await roots.IsCancelledAsync("root-a"));
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(await roots.IsCancelledAsync("root-a"));
        Assert.Equal(1, cache.Reads);
    }

    [Fact]
    public async Task A_cancel_is_seen_once_the_interval_has_passed()
    {
        var cache = new CancelReadCountingCache(new InMemoryCache());
        var clock = new TickClock();
        var roots = new CancelledRoots(cache, TimeSpan.FromSeconds(1), time: clock);
        Assert.False(await roots.IsCancelledAsync("root-a"));

        await cache.CancelRootAsync("root-a");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await roots.IsCancelledAsync("root-a"));
        Assert.Equal(2, cache.Reads);
    }

    [Fact]
    public async Task A_cancelled_root_is_not_read_again()
    {
        var cache = new CancelReadCountingCache(new InMemoryCache());
        var clock = new TickClock();
        var roots = new CancelledRoots(cache, TimeSpan.FromSeconds(1), time: clock);
        await cache.CancelRootAsync("root-a");
        Assert.True(await roots.IsCancelledAsync("root-a"));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await roots.IsCancelledAsync("root-a"));
        Assert.Equal(1, cache.Reads);
    }

    [Fact]
    public async Task Roots_are_checked_separately()
    {
        var cache = new CancelReadCountingCache(new InMemoryCache());
        var roots = new CancelledRoots(cache, TimeSpan.FromSeconds(1), time: new TickClock());
        await cache.CancelRootAsync("root-a");

        Assert.True(await roots.IsCancelledAsync("root-a"));
        Assert.False(await roots.IsCancelledAsync("root-b"));
        Assert.Equal(2, cache.Reads);
    }

    [Fact]
    public async Task A_failed_read_is_not_kept()
    {
        var cache = new CancelReadCountingCache(new InMemoryCache()) { FailNextRead = true };
        var roots = new CancelledRoots(cache, TimeSpan.FromSeconds(1), time: new TickClock());

        await Assert.ThrowsAsync<InvalidOperationException>(() => roots.IsCancelledAsync("root-a"));
        Assert.False(await roots.IsCancelledAsync("root-a"));
        Assert.Equal(2, cache.Reads);
    }

    [Fact]
    public async Task The_client_cancels_a_root_and_says_so()
    {
        var client = new BrrrClient(new InMemoryStore(), new InMemoryCache(), new InMemoryQueue());
        Assert.False(await client.IsCancelledAsync("root-a"));

        await client.CancelAsync("root-a");
        await client.CancelAsync("root-a");
        Assert.True(await client.IsCancelledAsync("root-a"));
        Assert.False(await client.IsCancelledAsync("root-b"));
        await Assert.ThrowsAsync<ProtocolException>(() => client.CancelAsync(""));
    }

    /// <summary>A clock whose timestamps move only when told.</summary>
    private sealed class TickClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

/// <summary>A cache decorator that counts the reads of cancel marks (and can fail the next one).</summary>
internal sealed class CancelReadCountingCache(ICache inner) : ICache
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public bool FailNextRead { get; set; }

    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default) => inner.IncrAsync(rootId, cancellationToken);

    public Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default) => inner.IncrAttemptsAsync(callHash, expiry, cancellationToken);

    public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default) => inner.ClearAttemptsAsync(callHash, cancellationToken);

    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default) => inner.CancelRootAsync(rootId, cancellationToken);

    public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        if (FailNextRead)
        {
            FailNextRead = false;
            return Task.FromException<bool>(new InvalidOperationException("the cache is down"));
        }

        return inner.IsRootCancelledAsync(rootId, cancellationToken);
    }
}
