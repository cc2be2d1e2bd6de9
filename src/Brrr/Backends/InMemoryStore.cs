using System.Diagnostics.CodeAnalysis;

namespace Brrr.Backends;

/// <summary>
/// The embedded default store: a thread-safe dictionary in this process. Values are copied in and out,
/// so callers never share a buffer with the store. Nothing survives the process. Records can expire
/// (<see cref="ExpireAsync"/>) on the clock it is given: an expired record reads as absent and is dropped when next touched.
/// </summary>
public sealed class InMemoryStore : IStore, IStoreScan
{
    private readonly Dictionary<MemKey, byte[]> _values = new();
    private readonly Dictionary<MemKey, DateTimeOffset> _expiries = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store whose records expire on the system clock.</summary>
    public InMemoryStore()
        : this(null)
    {
    }

    /// <summary>Creates an empty store.</summary>
    /// <param name="time">The clock of record expiry (<see cref="ExpireAsync"/>); <c>null</c>: the system clock.</param>
    public InMemoryStore(TimeProvider? time)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many keys the store holds now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                DropExpired();
                return _values.Count;
            }
        }
    }

    /// <summary>How many keys of <paramref name="type"/> the store holds now (e.g. values: distinct calls computed).</summary>
    public int CountOf(MemKeyType type)
    {
        lock (_lock)
        {
            DropExpired();
            return _values.Keys.Count(k => k.Type == type);
        }
    }

    /// <inheritdoc />
    public Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(TryGetLive(key, out _));
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(TryGetLive(key, out var value) ? (byte[]?)value.ToArray() : null);
        }
    }

    /// <inheritdoc />
    public bool ReadsManyAtOnce => true;

    /// <inheritdoc />
    /// <remarks>All keys under one hold of the store's lock: one instant.</remarks>
    public Task<byte[]?[]> GetManyAsync(IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default)
    {
        StoreSteps.CheckOneCall(keys);
        var values = new byte[]?[keys.Count];
        lock (_lock)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = TryGetLive(keys[i], out var value) ? value.ToArray() : null;
            }
        }

        return Task.FromResult(values);
    }

    /// <inheritdoc />
    public Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var copy = value.ToArray();
        lock (_lock)
        {
            _values[key] = copy;
            _expiries.Remove(key);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _values.Remove(key);
            _expiries.Remove(key);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var copy = value.ToArray();
        lock (_lock)
        {
            return Task.FromResult(!TryGetLive(key, out _) && _values.TryAdd(key, copy));
        }
    }

    /// <inheritdoc />
    public Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(expected);
        var copy = value.ToArray();
        lock (_lock)
        {
            if (!TryGetLive(key, out var current) || !current.AsSpan().SequenceEqual(expected))
            {
                return Task.FromResult(false);
            }

            _values[key] = copy;
            _expiries.Remove(key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        lock (_lock)
        {
            if (!TryGetLive(key, out var current) || !current.AsSpan().SequenceEqual(expected))
            {
                return Task.FromResult(false);
            }

            _values.Remove(key);
            _expiries.Remove(key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    /// <remarks>Lists the records there are when the scan starts (copies of their bytes).</remarks>
    public IAsyncEnumerable<StoredRecord> ScanAsync(MemKeyType type, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            DropExpired();
            return _values.Where(kv => kv.Key.Type == type).Select(kv => new StoredRecord(kv.Key, kv.Value.ToArray())).ToArray().ToAsyncEnumerable();
        }
    }

    /// <inheritdoc />
    public bool CanExpire => true;

    /// <inheritdoc />
    public Task ExpireAsync(MemKey key, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (_lock)
        {
            if (TryGetLive(key, out _))
            {
                _expiries[key] = _time.GetUtcNow() + ttl;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PersistAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (TryGetLive(key, out _))
            {
                _expiries.Remove(key);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The record at <paramref name="key"/> unless it expired (then it is dropped). Call under the lock.</summary>
    private bool TryGetLive(MemKey key, [MaybeNullWhen(false)] out byte[] value)
    {
        if (_expiries.TryGetValue(key, out var expiry) && expiry <= _time.GetUtcNow())
        {
            _values.Remove(key);
            _expiries.Remove(key);
        }

        return _values.TryGetValue(key, out value);
    }

    /// <summary>Drops every expired record. Call under the lock.</summary>
    private void DropExpired()
    {
        if (_expiries.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var (key, expiry) in _expiries.Where(e => e.Value <= now).ToArray())
        {
            _values.Remove(key);
            _expiries.Remove(key);
        }
    }
}
