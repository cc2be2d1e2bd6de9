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

    /// <summary>
    /// The bytes at <paramref name="key"/>, and only when there are none, the bytes at <paramref name="otherwise"/>
    /// (a call's value, else its error record). By default two reads, the second only when needed; a store that can
    /// read both in one request (Redis: one <c>MGET</c>, the two keys share a slot) does so.
    /// </summary>
    Task<(byte[]? Value, byte[]? Otherwise)> GetOrOtherwiseAsync(MemKey key, MemKey otherwise, CancellationToken cancellationToken = default) =>
        StoreSteps.GetOrOtherwiseAsync(this, key, otherwise, cancellationToken);

    /// <summary>
    /// Whether <see cref="GetManyAsync"/> reads its records together, in one request; default: no (one read after the
    /// other), and the runtime then prefers reads that stop early over reading every record.
    /// </summary>
    bool ReadsManyAtOnce => false;

    /// <summary>
    /// The bytes at each of <paramref name="keys"/>, records of one call (one call hash), in their order: <c>null</c>
    /// where there are none. Read one after the other in that order, unless the store has its own form
    /// (<see cref="ReadsManyAtOnce"/>), which reads them together in one request (in memory: under one lock; Redis: one
    /// <c>MGET</c>, since the records of one call share a cluster slot; DynamoDB: one <c>BatchGetItem</c> when its reads
    /// are coalesced). Callers must not rely on the records being read at one instant.
    /// </summary>
    /// <exception cref="ArgumentException">The keys are not all of one call hash.</exception>
    Task<byte[]?[]> GetManyAsync(IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default) =>
        StoreSteps.GetManyAsync(this, keys, cancellationToken);

    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, overwriting what is there.</summary>
    Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="key"/>; removing a missing key is not an error.</summary>
    Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> only if <paramref name="key"/> holds nothing; <c>false</c> if it does.</summary>
    Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>
    /// The bytes at <paramref name="key"/> when there are some; otherwise writes <paramref name="value"/> there (as
    /// <see cref="SetNewValueAsync"/>) and returns <c>null</c>. Stores with a native "set if new, else give the old
    /// value" do it in one request; the default reads first and writes only when nothing is there
    /// (<see cref="StoreSteps.GetOrSetNewValueAsync"/>).
    /// </summary>
    /// <exception cref="BrrrException">The default gave up: its reads kept missing a value its writes kept finding.</exception>
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

    /// <summary>
    /// Whether a read always sees the latest write (strongly consistent reads); default: <c>true</c>. On a store whose
    /// reads may answer an older state (DynamoDB with <c>brrr.dynamodb.consistent-reads = off</c>) the runtime skips no
    /// job on what it reads: parent debouncing is off, since a stale "child missing" could skip a parent's last wake-up
    /// for good. Every job then runs (more executions, same results).
    /// </summary>
    bool ReadsLatestWrites => true;

    /// <summary>
    /// Whether this store can expire records (<see cref="ExpireAsync"/>, <see cref="PersistAsync"/>): a task with a
    /// retention (<c>brrr.tasks."name".retention</c>) needs one. Default: <c>false</c>.
    /// </summary>
    bool CanExpire => false;

    /// <summary>
    /// Makes the record at <paramref name="key"/> expire <paramref name="ttl"/> from now: from then on it reads as
    /// absent (and the store removes it, now or later). A missing key stays missing. Any later write that replaces the
    /// record (<see cref="SetAsync"/>, <see cref="SetNewValueAsync"/>, <see cref="CompareAndSetAsync"/>) keeps it
    /// forever again, as does <see cref="PersistAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">The store cannot expire records (<see cref="CanExpire"/> is <c>false</c>).</exception>
    Task ExpireAsync(MemKey key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} cannot expire records: use a store whose CanExpire is true, or remove the tasks' retention.");

    /// <summary>Removes an expiry <see cref="ExpireAsync"/> set on <paramref name="key"/> that has not passed yet: the record is kept forever again.</summary>
    /// <exception cref="NotSupportedException">The store cannot expire records (<see cref="CanExpire"/> is <c>false</c>).</exception>
    Task PersistAsync(MemKey key, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} cannot expire records: use a store whose CanExpire is true, or remove the tasks' retention.");
}

/// <summary>
/// The combined store operations built from the basic ones, one request after the other: what
/// <see cref="IStore.GetOrSetNewValueAsync"/>, <see cref="IStore.SetThenGetAsync"/>, <see cref="IStore.GetOrOtherwiseAsync"/>
/// and <see cref="IStore.GetManyAsync"/> do unless a store has a native form (for decorators that must keep that
/// choice of their inner store).
/// </summary>
public static class StoreSteps
{
    /// <summary>How many rounds of read and set-new-value <see cref="GetOrSetNewValueAsync"/> makes before it gives up.</summary>
    internal const int GetOrSetNewValueRounds = 10;

    private static readonly TimeSpan s_laggingReadBase = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_laggingReadCap = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// <see cref="IStore.GetOrSetNewValueAsync"/> as a read, then a set-new-value when nothing was there, again while
    /// the set-new-value finds a value the read missed. Losing that race once is normal (the value came between the
    /// two); losing it again means the store's reads lag its writes (eventually consistent reads), so the further rounds
    /// wait 10 ms, 20 ms, ... up to 500 ms first (about 1.6 s in all), and the tenth lost round throws.
    /// </summary>
    /// <exception cref="BrrrException">Every one of the 10 rounds read nothing yet could not set a new value.</exception>
    public static async Task<byte[]?> GetOrSetNewValueAsync(IStore store, MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var round = 1; ; round++)
        {
            if (await store.GetAsync(key, cancellationToken).ConfigureAwait(false) is { } current)
            {
                return current;
            }

            if (await store.SetNewValueAsync(key, value, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            if (round == GetOrSetNewValueRounds)
            {
                throw new BrrrException(
                    $"Get-or-set-new-value of {key} read no value yet found one when setting, {round} times in a row: the store's reads " +
                    "lag its writes (eventually consistent reads, e.g. brrr.dynamodb.consistent-reads = off) or the key is deleted and " +
                    "recreated all the time. The call is retried later; use consistent reads if this repeats.");
            }

            if (round > 1)
            {
                await Task.Delay(LaggingReadDelay(round - 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Wait number <paramref name="wait"/> (1-based) between two rounds of <see cref="GetOrSetNewValueAsync"/>.</summary>
    internal static TimeSpan LaggingReadDelay(int wait) => Backoff.ForRetry(wait, s_laggingReadBase, s_laggingReadCap);

    /// <summary><see cref="IStore.SetThenGetAsync"/> as a write, then a read.</summary>
    public static async Task<byte[]?> SetThenGetAsync(IStore store, MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.SetAsync(setKey, value, cancellationToken).ConfigureAwait(false);
        return await store.GetAsync(getKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IStore.GetOrOtherwiseAsync"/> as a read, then a read of the other record when there was no value.</summary>
    public static async Task<(byte[]? Value, byte[]? Otherwise)> GetOrOtherwiseAsync(IStore store, MemKey key, MemKey otherwise, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var value = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return value is not null ? (value, null) : (null, await store.GetAsync(otherwise, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><see cref="IStore.GetManyAsync"/> as one read after the other, in the order of <paramref name="keys"/>.</summary>
    /// <exception cref="ArgumentException">The keys are not all of one call hash.</exception>
    public static async Task<byte[]?[]> GetManyAsync(IStore store, IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        CheckOneCall(keys);
        var values = new byte[]?[keys.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = await store.GetAsync(keys[i], cancellationToken).ConfigureAwait(false);
        }

        return values;
    }

    /// <summary>Checks that <paramref name="keys"/> (at least one) are records of one call, as <see cref="IStore.GetManyAsync"/> needs.</summary>
    /// <exception cref="ArgumentException">They are not, or there are none.</exception>
    public static void CheckOneCall(IReadOnlyList<MemKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("Read at least one key.", nameof(keys));
        }

        for (var i = 1; i < keys.Count; i++)
        {
            if (!string.Equals(keys[i].CallHash, keys[0].CallHash, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The keys read together must be records of one call: {keys[0]} and {keys[i]} are not.", nameof(keys));
            }
        }
    }

    /// <summary>Whether <paramref name="store"/>'s type has its own form of the <see cref="IStore"/> method <paramref name="name"/>.</summary>
    public static bool HasNative(IStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        var map = store.GetType().GetInterfaceMap(typeof(IStore));
        return map.TargetMethods.Any(m => m.Name.EndsWith(name, StringComparison.Ordinal) && m.DeclaringType != typeof(IStore));
    }
}
