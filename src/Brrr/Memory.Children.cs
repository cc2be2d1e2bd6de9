using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr;

internal sealed partial class Memory
{
    /// <summary>Stores <paramref name="record"/> as the children record of its call, over any earlier one.</summary>
    public Task SetChildrenAsync(ChildrenRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Store.SetAsync(KeyOf(MemKeyType.Children, record.CallHash), record.Encode(), cancellationToken);
    }

    /// <summary>
    /// Lets the children record of <paramref name="callHash"/> expire <paramref name="retention"/> from now if the call has
    /// settled (it has a value or an error record). A deferring run writes its record after its registrations; when
    /// another run settled the call meanwhile, the settled records were set to expire before that write, which clears an
    /// expiry: without this the record would be kept forever. Checked after the write, so either this sees the
    /// settlement, or the settlement's expiry comes after the write.
    /// </summary>
    public async Task ExpireChildrenIfSettledAsync(string callHash, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        var (value, error) = await Store.GetOrOtherwiseAsync(KeyOf(MemKeyType.Value, callHash), KeyOf(MemKeyType.Error, callHash), cancellationToken)
            .ConfigureAwait(false);
        if (value is not null || error is not null)
        {
            await Store.ExpireAsync(KeyOf(MemKeyType.Children, callHash), retention, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The children record of <paramref name="callHash"/>, or <c>null</c> (it never deferred under a BrrrAkka worker).</summary>
    /// <exception cref="ProtocolException">The stored bytes are no children record.</exception>
    public async Task<ChildrenRecord?> GetChildrenAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var bytes = await Store.GetAsync(KeyOf(MemKeyType.Children, callHash), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ChildrenRecord.Decode(bytes);
    }

    /// <summary>
    /// The call record of <paramref name="callHash"/> and its children record (<c>null</c> when there is none, or when
    /// it cannot be decoded: <see cref="GetReadableChildrenAsync"/>) in one request (<see cref="IStore.GetManyAsync"/>); a missing call record is read again
    /// as <see cref="GetCallAsync"/> does, without the children record.
    /// </summary>
    /// <exception cref="CallNotFoundException">The call record is still missing after the retries.</exception>
    /// <exception cref="ProtocolException">The call record is not a call record.</exception>
    public async Task<(Call Call, ChildrenRecord? Children)> GetCallAndChildrenAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var call = KeyOf(MemKeyType.Call, callHash);
        var records = await Store.GetManyAsync([call, MemKey.ChildrenOf(call.CallHash)], cancellationToken).ConfigureAwait(false);
        if (records[0] is not { } bytes)
        {
            return (await GetCallAsync(callHash, cancellationToken).ConfigureAwait(false), null);
        }

        return (CallOf(bytes, callHash), ReadableChildren(records[1]));
    }

    /// <summary>
    /// The children record of <paramref name="callHash"/>, or <c>null</c> when there is none or it cannot be decoded: for
    /// the debounce, which runs a job whose record is unreadable rather than fail it.
    /// </summary>
    public async Task<ChildrenRecord?> GetReadableChildrenAsync(string callHash, CancellationToken cancellationToken = default) =>
        ReadableChildren(await Store.GetAsync(KeyOf(MemKeyType.Children, callHash), cancellationToken).ConfigureAwait(false));

    private static ChildrenRecord? ReadableChildren(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return ChildrenRecord.Decode(bytes);
        }
        catch (ProtocolException)
        {
            return null;
        }
    }
}
