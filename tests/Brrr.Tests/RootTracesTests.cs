using System.Diagnostics;
using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Tests;

public sealed class RootTracesTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static QueueDelivery Job(string rootId, string callHash = "c1") => new("t", new ScheduleMessage(rootId, callHash).ToWire(), false);

    [Fact]
    public async Task The_calls_of_a_root_continue_its_schedule_s_context_read_from_the_cache_once()
    {
        var cache = new TraceReadCountingCache(new InMemoryCache());
        await cache.SetRootTraceAsync("root-a", TraceParent + "\nvendor=abc");
        var traces = new RootTraces(cache, BrrrLimits.Default);

        var first = await traces.ParentOfAsync(Job("root-a", "c1"), CancellationToken.None);
        var second = await traces.ParentOfAsync(Job("root-a", "c2"), CancellationToken.None);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", first.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", first.SpanId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, first.TraceFlags);
        Assert.Equal("vendor=abc", first.TraceState);
        Assert.True(first.IsRemote);
        Assert.Equal(first, second);
        Assert.Equal(1, cache.Reads);
    }

    [Fact]
    public async Task A_root_without_a_record_has_no_parent_and_is_not_read_again()
    {
        var cache = new TraceReadCountingCache(new InMemoryCache());
        var traces = new RootTraces(cache, BrrrLimits.Default);

        Assert.Equal(default, await traces.ParentOfAsync(Job("root-a"), CancellationToken.None));
        Assert.Equal(default, await traces.ParentOfAsync(Job("root-a"), CancellationToken.None));
        Assert.Equal(1, cache.Reads);
    }

    [Fact]
    public async Task A_failed_read_is_raised_and_not_kept()
    {
        var cache = new TraceReadCountingCache(new InMemoryCache()) { FailNextRead = true };
        await cache.SetRootTraceAsync("root-a", TraceParent);
        var traces = new RootTraces(cache, BrrrLimits.Default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => traces.ParentOfAsync(Job("root-a"), CancellationToken.None));
        var parent = await traces.ParentOfAsync(Job("root-a"), CancellationToken.None);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", parent.TraceId.ToHexString());
        Assert.Equal(2, cache.Reads);
    }

    [Theory]
    [InlineData("not bencode")]
    [InlineData("00-xyz")]
    public async Task A_message_that_does_not_decode_or_a_record_that_does_not_parse_gives_no_parent(string record)
    {
        var cache = new TraceReadCountingCache(new InMemoryCache());
        await cache.SetRootTraceAsync("root-a", record);
        var traces = new RootTraces(cache, BrrrLimits.Default);

        Assert.Equal(default, await traces.ParentOfAsync(new QueueDelivery("t", "garbage", false), CancellationToken.None));
        Assert.Equal(0, cache.Reads);
        Assert.Equal(default, await traces.ParentOfAsync(Job("root-a"), CancellationToken.None));
        Assert.Equal(1, cache.Reads);
    }
}

/// <summary>A cache decorator that counts the reads of root trace contexts (and can fail the next one).</summary>
internal sealed class TraceReadCountingCache(ICache inner) : ICache
{
    private int _reads;
    private int _writes;

    public int Reads => Volatile.Read(ref _reads);

    public int Writes => Volatile.Read(ref _writes);

    public bool FailNextRead { get; set; }

    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default) => inner.IncrAsync(rootId, cancellationToken);

    public Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default) => inner.IncrAttemptsAsync(callHash, expiry, cancellationToken);

    public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default) => inner.ClearAttemptsAsync(callHash, cancellationToken);

    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default) => inner.CancelRootAsync(rootId, cancellationToken);

    public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default) => inner.IsRootCancelledAsync(rootId, cancellationToken);

    public Task SetRootTraceAsync(string rootId, string traceContext, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return inner.SetRootTraceAsync(rootId, traceContext, cancellationToken);
    }

    public Task<string?> GetRootTraceAsync(string rootId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        if (FailNextRead)
        {
            FailNextRead = false;
            return Task.FromException<string?>(new InvalidOperationException("the cache is down"));
        }

        return inner.GetRootTraceAsync(rootId, cancellationToken);
    }
}
