namespace Brrr.Bench.Counting;

/// <summary>Thread-safe counters of backend operations, by operation name.</summary>
internal sealed class OpCounters
{
    private readonly string[] _names;
    private readonly long[] _counts;

    public OpCounters(params string[] names)
    {
        _names = names;
        _counts = new long[names.Length];
    }

    public void Count(int op) => Interlocked.Increment(ref _counts[op]);

    public long Total => Snapshot().Values.Sum();

    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++)
        {
            result[_names[i]] = Interlocked.Read(ref _counts[i]);
        }

        return result;
    }
}
