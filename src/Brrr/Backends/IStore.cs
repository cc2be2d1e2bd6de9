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

    /// <summary>
    /// The bytes at <paramref name="key"/> when there are some; otherwise writes <paramref name="value"/> there (as
    /// <see cref="SetNewValueAsync"/>) and returns <c>null</c>. Stores with a native "set if new, else give the old
    /// value" do it in one request; the default reads first and writes only when nothing is there.
    /// </summary>
    Task<byte[]?> GetOrSetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) =>
        StoreSteps.GetOrSetNewValueAsync(this, key, value, cancellationToken);

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="setKey"/>, then reads <paramref name="getKey"/>: the read is
    /// ordered after the write. Stores that keep the order of requests on one connection send both at once (one
    /// round trip); the default awaits the write, then reads.
    /// </summary>
    Task<byte[]?> SetThenGetAsync(MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default) =>
        StoreSteps.SetThenGetAsync(this, setKey, value, getKey, cancellationToken);

    /// <summary>Writes <paramref name="value"/> only if the current bytes equal <paramref name="expected"/>; <c>false</c> otherwise (including when the key is missing).</summary>
    Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/> only if the current bytes equal <paramref name="expected"/>; <c>false</c> otherwise (including when the key is missing).</summary>
    Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default);
}

/// <summary>
/// The combined store operations built from the basic ones, one request after the other: what
/// <see cref="IStore.GetOrSetNewValueAsync"/> and <see cref="IStore.SetThenGetAsync"/> do unless a store has a native
/// form (for decorators that must keep that choice of their inner store).
/// </summary>
public static class StoreSteps
{
    /// <summary><see cref="IStore.GetOrSetNewValueAsync"/> as a read, then a set-new-value when nothing was there.</summary>
    public static async Task<byte[]?> GetOrSetNewValueAsync(IStore store, MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        while (true)
        {
            if (await store.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } current)
            {
                return current;
            }

            if (await store.SetNewValueAsync(key, value, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary><see cref="IStore.SetThenGetAsync"/> as a write, then a read.</summary>
    public static async Task<byte[]?> SetThenGetAsync(IStore store, MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.SetAsync(setKey, value, cancellationToken).ConfigureAwait(false);
        return await store.GetAsync(getKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="store"/>'s type has its own form of the <see cref="IStore"/> method <paramref name="name"/>.</summary>
    public static bool HasNative(IStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        var map = store.GetType().GetInterfaceMap(typeof(IStore));
        return map.TargetMethods.Any(m => m.Name.EndsWith(name, StringComparison.Ordinal) && m.DeclaringType != typeof(IStore));
    }
}
