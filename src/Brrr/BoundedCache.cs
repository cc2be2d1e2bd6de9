using System.Collections.Concurrent;

namespace Brrr;

/// <summary>
/// Write-once records of calls this process read or stored (child values, call records), by call hash, so that a
/// re-run does not read them from the store again. Bounded: when it reaches its capacity it starts over (under
/// concurrent puts it may hold a few more for a moment). A cached value is a value the call really returned (a
/// re-run may store a different one; either is a valid result); a call record never changes for its hash.
/// Thread safe.
/// </summary>
/// <typeparam name="TRecord">What is kept per call hash.</typeparam>
public sealed class BoundedCache<TRecord>
    where TRecord : class
{
    private readonly ConcurrentDictionary<string, TRecord> _records = new(StringComparer.Ordinal);

    // ConcurrentDictionary.Count takes every lock of the map: the size is tracked here instead.
    private int _count;

    /// <summary>Creates a cache of at most <paramref name="capacity"/> records; 0 turns it off.</summary>
    public BoundedCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The most records kept.</summary>
    public int Capacity { get; }

    /// <summary>The cached record of <paramref name="callHash"/>, or <c>null</c>.</summary>
    public TRecord? Get(string callHash) => Capacity == 0 ? null : _records.GetValueOrDefault(callHash);

    /// <summary>Remembers <paramref name="record"/> for <paramref name="callHash"/>.</summary>
    public void Put(string callHash, TRecord record)
    {
        if (Capacity == 0)
        {
            return;
        }

        if (Volatile.Read(ref _count) >= Capacity)
        {
            _records.Clear();
            Volatile.Write(ref _count, 0);
        }

        if (_records.TryAdd(callHash, record))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _records[callHash] = record;
        }
    }
}
