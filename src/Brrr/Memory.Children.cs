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

    /// <summary>The children record of <paramref name="callHash"/>, or <c>null</c> (it never deferred under a BrrrAkka worker).</summary>
    /// <exception cref="ProtocolException">The stored bytes are no children record.</exception>
    public async Task<ChildrenRecord?> GetChildrenAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var bytes = await Store.GetAsync(KeyOf(MemKeyType.Children, callHash), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ChildrenRecord.Decode(bytes);
    }

    /// <summary>
    /// The call record of <paramref name="callHash"/> and its children record (<c>null</c> when there is none, or when
    /// it cannot be decoded) in one request (<see cref="IStore.GetManyAsync"/>); a missing call record is read again
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

        var (taskName, payload) = CallRecord.Decode(bytes);
        ChildrenRecord? children = null;
        if (records[1] is { } childrenBytes)
        {
            try
            {
                children = ChildrenRecord.Decode(childrenBytes);
            }
            catch (ProtocolException)
            {
                // Only the debounce reads it here: a job whose record is unreadable runs.
            }
        }

        return (new Call(taskName, payload, callHash), children);
    }
}
