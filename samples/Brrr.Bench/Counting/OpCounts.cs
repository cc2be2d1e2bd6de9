namespace Brrr.Bench.Counting;

/// <summary>A snapshot of the store, queue and cache operation counts of one process; summable across processes.</summary>
internal sealed record OpCounts(IReadOnlyDictionary<string, long> Store, IReadOnlyDictionary<string, long> Queue, IReadOnlyDictionary<string, long> Cache)
{
    /// <summary>All three, one dictionary: store ops, then queue ops, then cache ops.</summary>
    public IEnumerable<KeyValuePair<string, long>> All => Store.Concat(Queue).Concat(Cache);

    public OpCounts Plus(OpCounts other) => new(Add(Store, other.Store), Add(Queue, other.Queue), Add(Cache, other.Cache));

    private static Dictionary<string, long> Add(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b) =>
        a.Concat(b).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);
}
