namespace Brrr.Backends;

/// <summary>
/// A best-effort counter store (PROTOCOL.md §4): the spawn counters of roots, the failed runs of calls whose task
/// threw (so that a task's attempts are counted across the fleet), and the marks of cancelled roots (which no
/// reference worker reads). Thread safe.
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
    /// Counts one more failed run of the call <paramref name="callHash"/> (missing counts as 0) and returns the runs so
    /// far. The count expires <paramref name="expiry"/> after it was created. A brrr-only key, distinct from the spawn
    /// counters (on Redis <c>&lt;prefix&gt;{&lt;call_hash&gt;}:attempts</c>); reference workers never read it.
    /// </summary>
    Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default);

    /// <summary>Forgets the failed runs of the call <paramref name="callHash"/> (once it failed for good, so that a retry starts again at 1).</summary>
    Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the root <paramref name="rootId"/> as cancelled (idempotent): workers then acknowledge its jobs without
    /// running them (<see cref="CancelledRoots"/>). The mark expires after the backend's cancel expiry (on Redis
    /// <c>brrr.redis.cancel-expiry</c>; in memory it lives as long as the cache).
    /// </summary>
    Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="rootId"/> is marked as cancelled (<see cref="CancelRootAsync"/>) and the mark has not expired.</summary>
    Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default);
}
