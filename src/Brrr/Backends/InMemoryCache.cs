using System.Collections.Concurrent;

namespace Brrr.Backends;

/// <summary>The embedded default cache: thread-safe counters and cancel marks in this process (they never expire).</summary>
public sealed class InMemoryCache : ICache
{
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _cancelled = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return Task.FromResult(_counters.AddOrUpdate(rootId, 1, static (_, n) => n + 1));
    }

    /// <inheritdoc />
    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        _cancelled[rootId] = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return Task.FromResult(_cancelled.ContainsKey(rootId));
    }
}
