namespace Brrr.Backends;

/// <summary>A best-effort counter store (PROTOCOL.md §4); its only use is the spawn limit. Thread safe.</summary>
public interface ICache
{
    /// <summary>
    /// Increments the spawn counter of the root <paramref name="rootId"/> (missing counts as 0) and returns the new
    /// value. The backend names the counter: on Redis <c>brrr/count/&lt;root_id&gt;</c>, or <c>brrr_count/&lt;root_id&gt;</c>
    /// in the legacy layout, as the reference workers of that layout do.
    /// </summary>
    Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default);
}
