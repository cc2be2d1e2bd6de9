namespace Brrr;

internal sealed partial class Memory
{
    /// <summary>
    /// Lets the records of a settled call (its <c>call</c>, <c>value</c>, <c>error</c>, <c>children</c> and <c>due</c> records) expire
    /// <paramref name="retention"/> from now, once its returns were sent; never while it has pending returns. The
    /// expiry is set first and the <c>pending_returns</c> record read after it: a registration that came before that
    /// read is seen, and the records are kept forever again (its job may still need the call record); one that comes
    /// after it writes the call record after the expiry was set, and that write clears it. Either way a call someone
    /// waits on keeps its call record, and a value that expires meanwhile is computed again.
    /// </summary>
    /// <returns>Whether the records were left to expire (<c>false</c>: a return was registered meanwhile).</returns>
    public async Task<bool> ExpireSettledAsync(string callHash, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        MemKey[] records =
        [
            KeyOf(MemKeyType.Call, callHash), KeyOf(MemKeyType.Value, callHash), KeyOf(MemKeyType.Error, callHash), KeyOf(MemKeyType.Children, callHash),
            KeyOf(MemKeyType.Due, callHash),
        ];
        await Task.WhenAll(records.Select(key => Store.ExpireAsync(key, retention, cancellationToken))).ConfigureAwait(false);
        if (!await Store.HasAsync(KeyOf(MemKeyType.PendingReturns, callHash), cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        await Task.WhenAll(records.Select(key => Store.PersistAsync(key, cancellationToken))).ConfigureAwait(false);
        return false;
    }
}
