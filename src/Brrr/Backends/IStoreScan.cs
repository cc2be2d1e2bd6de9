namespace Brrr.Backends;

/// <summary>
/// A store that can list every record of one type: for tools, never for workers. The inspector
/// (<c>Brrr.Inspection</c>) reads every <c>pending_returns</c> record with it to find the children a call waits on, so
/// that walking down a tree needs nothing written on the hot path and shows the calls of reference workers too. A scan
/// reads the whole store (Redis <c>SCAN</c> with a pattern, a DynamoDB <c>Scan</c> with a filter): its cost grows with
/// the store, not with the tree. It is not a snapshot: records written or removed while it runs may be listed or not.
/// </summary>
public interface IStoreScan
{
    /// <summary>Lists the records of <paramref name="type"/>, in no particular order, each at most once.</summary>
    /// <param name="type">Which records.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    IAsyncEnumerable<StoredRecord> ScanAsync(MemKeyType type, CancellationToken cancellationToken = default);
}

/// <summary>One record a <see cref="IStoreScan"/> found.</summary>
/// <param name="Key">Its key.</param>
/// <param name="Value">Its bytes.</param>
public sealed record StoredRecord(MemKey Key, byte[] Value);
