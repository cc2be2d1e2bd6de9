namespace Brrr.Backends;

/// <summary>
/// The embedded default store: a thread-safe dictionary in this process. Values are copied in and out,
/// so callers never share a buffer with the store. Nothing survives the process.
/// </summary>
public sealed class InMemoryStore : IStore, IStoreScan
{
    private readonly Dictionary<MemKey, byte[]> _values = new();
    private readonly Lock _lock = new();

    /// <summary>How many keys the store holds now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _values.Count;
            }
        }
    }

    /// <summary>How many keys of <paramref name="type"/> the store holds now (e.g. values: distinct calls computed).</summary>
    public int CountOf(MemKeyType type)
    {
        lock (_lock)
        {
            return _values.Keys.Count(k => k.Type == type);
        }
    }

    /// <inheritdoc />
    public Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_values.ContainsKey(key));
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_values.TryGetValue(key, out var value) ? (byte[]?)value.ToArray() : null);
        }
    }

    /// <inheritdoc />
    public Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var copy = value.ToArray();
        lock (_lock)
        {
            _values[key] = copy;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _values.Remove(key);
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
            return Task.FromResult(_values.TryAdd(key, copy));
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
            if (!_values.TryGetValue(key, out var current) || !current.AsSpan().SequenceEqual(expected))
            {
                return Task.FromResult(false);
            }

            _values[key] = copy;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        lock (_lock)
        {
            if (!_values.TryGetValue(key, out var current) || !current.AsSpan().SequenceEqual(expected))
            {
                return Task.FromResult(false);
            }

            _values.Remove(key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    /// <remarks>Lists the records there are when the scan starts (copies of their bytes).</remarks>
    public IAsyncEnumerable<StoredRecord> ScanAsync(MemKeyType type, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return _values.Where(kv => kv.Key.Type == type).Select(kv => new StoredRecord(kv.Key, kv.Value.ToArray())).ToArray().ToAsyncEnumerable();
        }
    }
}
