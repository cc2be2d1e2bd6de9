using System.Collections.Concurrent;

namespace Brrr;

/// <summary>
/// Values of calls this process read or stored, by call hash, so that a parent re-run does not read its children
/// from the store again. Bounded: when full it starts over. A cached value is a value the call really returned
/// (a re-run may store a different one; either is a valid result). Thread safe.
/// </summary>
public sealed class ValueCache
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    /// <summary>Creates a cache of at most <paramref name="capacity"/> values; 0 turns it off.</summary>
    public ValueCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The most values kept.</summary>
    public int Capacity { get; }

    /// <summary>The cached value of <paramref name="callHash"/>, or <c>null</c>.</summary>
    public byte[]? Get(string callHash) => _values.GetValueOrDefault(callHash);

    /// <summary>Remembers <paramref name="value"/> as the value of <paramref name="callHash"/>.</summary>
    public void Put(string callHash, byte[] value)
    {
        if (Capacity == 0)
        {
            return;
        }

        if (_values.Count >= Capacity)
        {
            _values.Clear();
        }

        _values[callHash] = value;
    }
}
