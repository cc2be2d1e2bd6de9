using Brrr.Backends;

namespace Brrr.Bench.Counting;

/// <summary>Counts every increment on an <see cref="ICache"/> before passing it on.</summary>
internal sealed class CountingCache(ICache inner) : ICache
{
    public OpCounters Counters { get; } = new("incr");

    public Task<long> IncrAsync(string key, CancellationToken cancellationToken = default)
    {
        Counters.Count(0);
        return inner.IncrAsync(key, cancellationToken);
    }
}
