using System.Collections.Concurrent;

namespace Brrr;

/// <summary>
/// Write-once records of calls this process read or stored (child values, call records), by call hash, so that a
/// re-run does not read them from the store again. Bounded, in two generations: when the current one reaches the
/// capacity it becomes the previous one (the one before is dropped), and a record found in the previous generation
/// moves back into the current one. So it holds at most about twice its capacity, and what was used recently stays.
/// A cached value is a value the call really returned (a re-run may store a different one; either is a valid
/// result); a call record never changes for its hash. Thread safe.
/// </summary>
/// <typeparam name="TRecord">What is kept per call hash.</typeparam>
internal sealed class BoundedCache<TRecord>
    where TRecord : class
{
    private readonly Lock _turning = new();
    private ConcurrentDictionary<string, TRecord> _current = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, TRecord> _previous = new(StringComparer.Ordinal);

    // ConcurrentDictionary.Count takes every lock of the map: the size of the current generation is tracked here.
    private int _count;

    /// <summary>Creates a cache of generations of <paramref name="capacity"/> records; 0 turns it off.</summary>
    public BoundedCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The most records of one generation (the cache holds up to two).</summary>
    public int Capacity { get; }

    /// <summary>The cached record of <paramref name="callHash"/>, or <c>null</c>.</summary>
    public TRecord? Get(string callHash)
    {
        if (Capacity == 0)
        {
            return null;
        }

        if (_current.TryGetValue(callHash, out var record))
        {
            return record;
        }

        if (_previous.TryGetValue(callHash, out record))
        {
            Put(callHash, record);
            return record;
        }

        return null;
    }

    /// <summary>Remembers <paramref name="record"/> for <paramref name="callHash"/>.</summary>
    public void Put(string callHash, TRecord record)
    {
        if (Capacity == 0)
        {
            return;
        }

        var current = _current;
        if (current.TryAdd(callHash, record))
        {
            if (Interlocked.Increment(ref _count) >= Capacity)
            {
                Turn(current);
            }
        }
        else
        {
            current[callHash] = record;
        }
    }

    /// <summary>Makes <paramref name="full"/> the previous generation, unless another thread already did.</summary>
    private void Turn(ConcurrentDictionary<string, TRecord> full)
    {
        lock (_turning)
        {
            if (!ReferenceEquals(_current, full))
            {
                return;
            }

            _previous = full;
            _current = new ConcurrentDictionary<string, TRecord>(StringComparer.Ordinal);
            Volatile.Write(ref _count, 0);
        }
    }
}
