using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Inspection;

/// <summary>
/// Which calls hold a return address to each parent: read once, on first need, from every <c>pending_returns</c>
/// record of the store (<see cref="IStoreScan"/>). A call's children that have no value yet are exactly the calls whose
/// <c>pending_returns</c> name it (a child deletes its record once it sends its returns), so this tells what a call waits
/// on with nothing written on the hot path, for calls of reference workers as for BrrrAkka's. It reads the whole store:
/// at most <see cref="MaxRecords"/> records, beyond which it is <see cref="Truncated"/>.
/// </summary>
internal sealed class ReturnIndex(IStore store)
{
    /// <summary>The most <c>pending_returns</c> records one inspection reads.</summary>
    public const int MaxRecords = 1_000_000;

    private Dictionary<string, List<string>>? _byParent;

    /// <summary>The scan stopped at <see cref="MaxRecords"/>: some children may be missing.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The calls that hold a return address to <paramref name="parentHash"/>, or null when the store cannot be scanned.</summary>
    public async Task<IReadOnlyList<string>?> ChildrenOfAsync(string parentHash, CancellationToken cancellationToken)
    {
        if (store is not IStoreScan scan)
        {
            return null;
        }

        _byParent ??= await ReadAsync(scan, cancellationToken).ConfigureAwait(false);
        return _byParent.TryGetValue(parentHash, out var children) ? children : [];
    }

    private async Task<Dictionary<string, List<string>>> ReadAsync(IStoreScan scan, CancellationToken cancellationToken)
    {
        var byParent = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var read = 0;
        await foreach (var record in scan.ScanAsync(MemKeyType.PendingReturns, cancellationToken).ConfigureAwait(false))
        {
            if (++read > MaxRecords)
            {
                Truncated = true;
                break;
            }

            PendingReturns returns;
            try
            {
                returns = PendingReturns.Decode(record.Value);
            }
            catch (ProtocolException)
            {
                continue;
            }

            foreach (var parent in returns.Returns.Select(r => r.CallHash).Distinct(StringComparer.Ordinal))
            {
                if (!byParent.TryGetValue(parent, out var children))
                {
                    byParent[parent] = children = [];
                }

                children.Add(record.Key.CallHash);
            }
        }

        return byParent;
    }
}
