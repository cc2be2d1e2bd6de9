namespace Brrr.Backends;

/// <summary>
/// A best-effort counter store (PROTOCOL.md §4): the spawn limit's counters, and the marks of cancelled roots
/// (which no reference worker reads). Thread safe.
/// </summary>
public interface ICache
{
    /// <summary>
    /// Increments the spawn counter of the root <paramref name="rootId"/> (missing counts as 0) and returns the new
    /// value. The backend names the counter: on Redis <c>brrr/count/&lt;root_id&gt;</c>, or <c>brrr_count/&lt;root_id&gt;</c>
    /// in the legacy layout, as the reference workers of that layout do.
    /// </summary>
    Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the root <paramref name="rootId"/> as cancelled (idempotent): workers then acknowledge its jobs without
    /// running them (<see cref="CancelledRoots"/>). The mark expires after the backend's cancel expiry (on Redis
    /// <c>brrr.redis.cancel-expiry</c>; in memory it lives as long as the cache).
    /// </summary>
    Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="rootId"/> is marked as cancelled (<see cref="CancelRootAsync"/>) and the mark has not expired.</summary>
    Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default);
}
