namespace Brrr.Backends;

/// <summary>
/// A key/value store with compare-and-set (PROTOCOL.md §3). Implementations are thread safe.
/// The CAS operations return <c>false</c> for a lost race; an exception means the outcome is unknown.
/// </summary>
public interface IStore
{
    /// <summary>Whether a value exists at <paramref name="key"/>.</summary>
    Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default);

    /// <summary>The bytes at <paramref name="key"/>, or <c>null</c> when there are none.</summary>
    Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, overwriting what is there.</summary>
    Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/>; removing a missing key is not an error.</summary>
    Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> only if <paramref name="key"/> holds nothing; <c>false</c> if it does.</summary>
    Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> only if the current bytes equal <paramref name="expected"/>; <c>false</c> otherwise (including when the key is missing).</summary>
    Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/> only if the current bytes equal <paramref name="expected"/>; <c>false</c> otherwise (including when the key is missing).</summary>
    Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default);
}
