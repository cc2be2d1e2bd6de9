namespace Brrr.Backends;

/// <summary>A best-effort counter store (PROTOCOL.md §4); its only use is the spawn limit. Thread safe.</summary>
public interface ICache
{
    /// <summary>Increments the counter at <paramref name="key"/> (missing counts as 0) and returns the new value.</summary>
    Task<long> IncrAsync(string key, CancellationToken cancellationToken = default);
}
