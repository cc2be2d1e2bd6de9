using System.Collections.Concurrent;

namespace Brrr.Backends;

/// <summary>The embedded default cache: thread-safe counters in this process.</summary>
public sealed class InMemoryCache : ICache
{
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return Task.FromResult(_counters.AddOrUpdate(rootId, 1, static (_, n) => n + 1));
    }
}
