namespace Brrr;

internal sealed partial class Memory
{
    /// <summary>Stores <paramref name="record"/> as the children record of its call, over any earlier one.</summary>
    public Task SetChildrenAsync(ChildrenRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Store.SetAsync(KeyOf(MemKeyType.Children, record.CallHash), record.Encode(), cancellationToken);
    }

    /// <summary>The children record of <paramref name="callHash"/>, or <c>null</c> (it never deferred under a BrrrAkka worker).</summary>
    /// <exception cref="ProtocolException">The stored bytes are no children record.</exception>
    public async Task<ChildrenRecord?> GetChildrenAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var bytes = await Store.GetAsync(KeyOf(MemKeyType.Children, callHash), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ChildrenRecord.Decode(bytes);
    }
}
