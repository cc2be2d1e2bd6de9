namespace Brrr;

internal sealed partial class Memory
{
    /// <summary>The error record of <paramref name="callHash"/> (it failed for good), or <c>null</c>.</summary>
    /// <exception cref="ProtocolException">The stored bytes are not an error record.</exception>
    public async Task<ErrorRecord?> GetErrorAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var bytes = await Store.GetAsync(KeyOf(MemKeyType.Error, callHash), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : ErrorRecord.Decode(bytes);
    }

    /// <summary>Removes the error record of <paramref name="callHash"/> (removing a missing one is not an error).</summary>
    public Task DeleteErrorAsync(string callHash, CancellationToken cancellationToken = default) =>
        Store.DeleteAsync(KeyOf(MemKeyType.Error, callHash), cancellationToken);

    /// <summary>
    /// Stores <paramref name="error"/> as the error record of its call unless it has one (written if absent, in one
    /// step); says whether it stored it. Of two runs of a call that fail for good at once, exactly one stores its record.
    /// </summary>
    public Task<bool> SetErrorIfAbsentAsync(ErrorRecord error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Store.SetNewValueAsync(KeyOf(MemKeyType.Error, error.CallHash), error.Encode(), cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="error"/> as the error record of its call, then sends and removes the call's returns
    /// exactly as <see cref="SetValueAndSendReturnsAsync(string, byte[], Func{Protocol.PendingReturn, Task}, CancellationToken)"/> does for a value (PROTOCOL.md §5 step 4), so that the
    /// waiting parents run again and meet the failure.
    /// </summary>
    public Task SetErrorAndSendReturnsAsync(ErrorRecord error, Func<Protocol.PendingReturn, Task> send, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(send);
        return SendReturnsAsync(error.CallHash, (MemKeyType.Error, error.Encode()), (r, _) => send(r), cancellationToken);
    }
}
