using Brrr.Backends;

namespace Brrr.Bench.Counting;

/// <summary>
/// Counts every increment on an <see cref="ICache"/> before passing it on; a job counted and pushed in one step
/// (<see cref="ICountedPush"/>, when the inner cache can) counts as <c>incr_push</c>.
/// </summary>
internal sealed class CountingCache(ICache inner) : ICache, ICountedPush
{
    /// <summary>The cache counted.</summary>
    public ICache Inner => inner;

    public OpCounters Counters { get; } = new("incr", "incr_push", "incr_attempts", "clear_attempts", "cancel", "is_cancelled", "set_trace", "get_trace");

    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default)
    {
        Counters.Count(0);
        return inner.IncrAsync(rootId, cancellationToken);
    }

    public Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        Counters.Count(2);
        return inner.IncrAttemptsAsync(callHash, expiry, cancellationToken);
    }

    public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default)
    {
        Counters.Count(3);
        return inner.ClearAttemptsAsync(callHash, cancellationToken);
    }

    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default)
    {
        Counters.Count(4);
        return inner.CancelRootAsync(rootId, cancellationToken);
    }

    public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        Counters.Count(5);
        return inner.IsRootCancelledAsync(rootId, cancellationToken);
    }

    public Task SetRootTraceAsync(string rootId, string traceContext, CancellationToken cancellationToken = default)
    {
        Counters.Count(6);
        return inner.SetRootTraceAsync(rootId, traceContext, cancellationToken);
    }

    public Task<string?> GetRootTraceAsync(string rootId, CancellationToken cancellationToken = default)
    {
        Counters.Count(7);
        return inner.GetRootTraceAsync(rootId, cancellationToken);
    }

    public bool CanPushTo(IQueue queue) =>
        inner is ICountedPush countedPush && countedPush.CanPushTo(queue is CountingQueue counting ? counting.Inner : queue);

    public Task<long> IncrAndPushAsync(string rootId, long limit, string topic, string message, CancellationToken cancellationToken = default)
    {
        Counters.Count(1);
        return ((ICountedPush)inner).IncrAndPushAsync(rootId, limit, topic, message, cancellationToken);
    }
}
