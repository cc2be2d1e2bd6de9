using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr;

/// <summary>
/// Sends <paramref name="returns"/>, then deletes their record <paramref name="key"/> if it still holds
/// <paramref name="expected"/>, in one step; says whether it deleted it, and the first spawn-limit error of a return.
/// </summary>
internal delegate Task<(bool Deleted, SpawnLimitException? Limited)> SendThenDelete(
    IReadOnlyList<PendingReturn> returns, MemKey key, byte[] expected, CancellationToken cancellationToken);

/// <summary>
/// The first step of sending a call's returns, in place of the write and first read of <see cref="Memory.SendReturnsAsync"/>:
/// either it sent the returns and removed their record (<c>Done</c>, with the first spawn-limit error), or it read the
/// record (<c>Current</c>; <c>null</c>: none) and the loop goes on from there. <paramref name="cancellationToken"/> cancels it.
/// </summary>
internal delegate Task<(bool Done, byte[]? Current, SpawnLimitException? Limited)> FirstReturnStep(CancellationToken cancellationToken);

/// <summary>
/// The store-side algorithms of PROTOCOL.md §5 over an <see cref="IStore"/>: call records, values, and the
/// compare-and-set loops on <c>pending_returns</c>. Every call hash it is given is checked (<see cref="Identifiers.CallHash"/>)
/// before it becomes a store key. Stateless apart from its store; thread safe.
/// </summary>
internal sealed partial class Memory
{
    /// <summary>How many compare-and-set attempts a pending_returns update makes before giving up.</summary>
    public const int MaxCasAttempts = 100;

    private static readonly TimeSpan[] CallReadBackoff =
    [
        TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200),
    ];

    private readonly TimeProvider _time;

    /// <summary>Creates the algorithms over <paramref name="store"/>.</summary>
    /// <param name="store">The shared store.</param>
    /// <param name="time">The clock of <c>scheduled_at</c>; default: the system clock.</param>
    /// <param name="limits">The largest call record and value written (and message a worker runs); default: <see cref="BrrrLimits.Default"/>.</param>
    public Memory(IStore store, TimeProvider? time = null, BrrrLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _time = time ?? TimeProvider.System;
        Limits = limits ?? BrrrLimits.Default;
    }

    /// <summary>The underlying store.</summary>
    public IStore Store { get; }

    /// <summary>The largest call record and value this writes, and the largest message a worker on it runs.</summary>
    public BrrrLimits Limits { get; }

    /// <summary>
    /// Reads the <c>call</c> record of <paramref name="callHash"/>, retrying a missing one 4 times (25 ms base,
    /// factor 2) for eventually consistent stores.
    /// </summary>
    /// <exception cref="CallNotFoundException">Still missing after the retries.</exception>
    /// <exception cref="ProtocolException">The record is not a call record.</exception>
    public async Task<Call> GetCallAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(MemKeyType.Call, callHash);
        for (var attempt = 0; ; attempt++)
        {
            var bytes = await Store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                return CallOf(bytes, callHash);
            }

            if (attempt == CallReadBackoff.Length)
            {
                throw new CallNotFoundException(callHash);
            }

            await Task.Delay(CallReadBackoff[attempt], _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>call</c> record of <paramref name="callHash"/> as it is now, or <c>null</c>: one read, no retry (for tools that look, not run).</summary>
    /// <exception cref="ProtocolException">The record is not a call record.</exception>
    public async Task<Call?> FindCallAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var bytes = await Store.GetAsync(KeyOf(MemKeyType.Call, callHash), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : CallOf(bytes, callHash);
    }

    /// <summary>The call whose <c>call</c> record, stored under <paramref name="callHash"/>, is <paramref name="bytes"/>.</summary>
    /// <exception cref="ProtocolException">The bytes are not a call record.</exception>
    private static Call CallOf(byte[] bytes, string callHash)
    {
        var (taskName, payload) = CallRecord.Decode(bytes);
        return new Call(taskName, payload, callHash);
    }

    /// <summary>Writes the <c>call</c> record of <paramref name="call"/> (idempotent).</summary>
    /// <exception cref="SizeLimitException">The record would be over <see cref="BrrrLimits.MaxRecordBytes"/>; nothing is written.</exception>
    public Task SetCallAsync(Call call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        Limits.CheckRecord(call);
        return Store.SetAsync(MemKey.CallOf(call.CallHash), CallRecord.Encode(call.TaskName, call.Payload), cancellationToken);
    }

    /// <summary>Whether the value of <paramref name="callHash"/> is stored.</summary>
    public Task<bool> HasValueAsync(string callHash, CancellationToken cancellationToken = default) =>
        Store.HasAsync(KeyOf(MemKeyType.Value, callHash), cancellationToken);

    /// <summary>The stored value of <paramref name="callHash"/>, or <c>null</c>.</summary>
    public Task<byte[]?> GetValueAsync(string callHash, CancellationToken cancellationToken = default) =>
        Store.GetAsync(KeyOf(MemKeyType.Value, callHash), cancellationToken);

    /// <summary>The stored value of <paramref name="callHash"/>, or else its error record (read in one request where the store can).</summary>
    /// <exception cref="ProtocolException">The error record is malformed.</exception>
    public async Task<(byte[]? Value, ErrorRecord? Error)> GetValueOrErrorAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var (value, error) = await Store.GetOrOtherwiseAsync(KeyOf(MemKeyType.Value, callHash), KeyOf(MemKeyType.Error, callHash), cancellationToken)
            .ConfigureAwait(false);
        return (value, error is null ? null : ErrorRecord.Decode(error));
    }

    /// <summary>
    /// What the debounce of a waiting parent needs of a child: its stored value, else whether it has an error record,
    /// else its <c>pending_returns</c> record as stored (or <c>null</c>). One request (<see cref="IStore.GetManyAsync"/>) where the
    /// store reads the three together (<see cref="IStore.ReadsManyAtOnce"/>); else the value and error first, then
    /// the returns only when both are missing. The reads need not be at one instant: a value and error found missing
    /// at any moment after the job was received mean the child has not sent its returns yet (a parent's among them).
    /// </summary>
    public async Task<(byte[]? Value, bool HasError, byte[]? PendingReturns)> GetSettlementAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var value = KeyOf(MemKeyType.Value, callHash);
        var error = MemKey.ErrorOf(value.CallHash);
        var pending = MemKey.PendingReturnsOf(value.CallHash);
        if (Store.ReadsManyAtOnce)
        {
            var records = await Store.GetManyAsync([value, error, pending], cancellationToken).ConfigureAwait(false);
            return (records[0], records[1] is not null, records[2]);
        }

        var (stored, failed) = await Store.GetOrOtherwiseAsync(value, error, cancellationToken).ConfigureAwait(false);
        if (stored is not null || failed is not null)
        {
            return (stored, failed is not null, null);
        }

        return (null, false, await Store.GetAsync(pending, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stores the value of <paramref name="callHash"/> (overwrites: a re-run may store a new result).</summary>
    /// <exception cref="SizeLimitException">The value is over <see cref="BrrrLimits.MaxValueBytes"/>; nothing is written.</exception>
    public Task SetValueAsync(string callHash, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        Limits.CheckValue(callHash, value);
        return Store.SetAsync(KeyOf(MemKeyType.Value, callHash), value, cancellationToken);
    }

    /// <summary>
    /// Registers <paramref name="pendingReturn"/> in the <c>pending_returns</c> record of <paramref name="childHash"/>
    /// and says whether the child must be scheduled: yes when the record is new, or when it already held a return
    /// for the same parent and topic under another root (a retried workflow whose earlier run may be dead), or when
    /// <paramref name="forceSchedule"/> is set (a redelivered parent message whose earlier attempt may have died
    /// between registering and pushing).
    /// </summary>
    /// <exception cref="BrrrException">The record changed under every one of <see cref="MaxCasAttempts"/> attempts.</exception>
    public Task<bool> AddPendingReturnAsync(string childHash, PendingReturn pendingReturn, bool forceSchedule = false, CancellationToken cancellationToken = default) =>
        AddPendingReturnAsync(childHash, pendingReturn, forceSchedule, read: null, cancellationToken);

    /// <summary>
    /// <see cref="AddPendingReturnAsync(string, PendingReturn, bool, CancellationToken)"/> from a record
    /// <paramref name="read"/> already (its bytes as stored; <c>null</c>: none read yet).
    /// </summary>
    /// <exception cref="BrrrException">The record changed under every one of <see cref="MaxCasAttempts"/> attempts.</exception>
    internal async Task<bool> AddPendingReturnAsync(string childHash, PendingReturn pendingReturn, bool forceSchedule, byte[]? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pendingReturn);
        var key = KeyOf(MemKeyType.PendingReturns, childHash);
        var fresh = new PendingReturns([pendingReturn], Now()).Encode();
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var current = attempt == 0 && read is not null ? read : await Store.GetOrSetNewValueAsync(key, fresh, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return true;
            }

            var record = PendingReturns.Decode(current);
            var schedule = forceSchedule || HasSameParentOtherRoot(record, pendingReturn);
            if (!schedule && record.Holds(pendingReturn))
            {
                return false;
            }

            var updated = record.With(pendingReturn, schedule ? Now() : record.ScheduledAt);
            if (await Store.CompareAndSetAsync(key, updated.Encode(), current, cancellationToken).ConfigureAwait(false))
            {
                return schedule;
            }
        }

        throw new BrrrException($"Could not register a return on {key}: the record changed under {MaxCasAttempts} compare-and-set attempts in a row.");
    }

    /// <summary>
    /// The first registration of <paramref name="pendingReturn"/> on <paramref name="child"/>, its call record and its job
    /// (<paramref name="message"/> on <paramref name="topic"/>, put by <paramref name="jobs"/>' rules) in one step of
    /// <paramref name="store"/>, when the child has no <c>pending_returns</c> record. Returns the record it has (nothing
    /// was written: register with <see cref="AddPendingReturnAsync(string, PendingReturn, bool, byte[], CancellationToken)"/>
    /// from it), or <c>null</c> when the child was scheduled; and the record it wrote, or would have.
    /// </summary>
    /// <exception cref="SizeLimitException">The call record would be over <see cref="BrrrLimits.MaxRecordBytes"/>; nothing is written.</exception>
    /// <exception cref="SpawnLimitException">The job went over its root's spawn limit: the records were written, the job was not pushed.</exception>
    internal async Task<(byte[]? Current, byte[] Written)> ScheduleFirstAsync(
        ISchedulingStore store, Call child, PendingReturn pendingReturn, Jobs jobs, string topic, ScheduleMessage message, CancellationToken cancellationToken)
    {
        Limits.CheckRecord(child);
        var written = new PendingReturns([pendingReturn], Now()).Encode();
        var (current, count) = await store.SetNewAndPushAsync(
                KeyOf(MemKeyType.PendingReturns, child.CallHash), written,
                MemKey.CallOf(child.CallHash), CallRecord.Encode(child.TaskName, child.Payload),
                message.RootId, jobs.SpawnLimit, topic, message.ToWire(), cancellationToken)
            .ConfigureAwait(false);
        if (current is null)
        {
            jobs.ThrowIfOverLimit(message, count);
        }

        return (current, written);
    }

    private static bool HasSameParentOtherRoot(PendingReturns record, PendingReturn pendingReturn)
    {
        var held = record.Sorted;
        for (var i = 0; i < held.Count; i++)
        {
            if (pendingReturn.IsSameParentOtherRoot(held[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The <c>pending_returns</c> record of <paramref name="callHash"/> as stored (decode it with
    /// <see cref="PendingReturns.Decode"/>), or <c>null</c> when there is none.
    /// </summary>
    public Task<byte[]?> GetPendingReturnsAsync(string callHash, CancellationToken cancellationToken = default) =>
        Store.GetAsync(KeyOf(MemKeyType.PendingReturns, callHash), cancellationToken);

    /// <summary>
    /// Deletes the <c>pending_returns</c> record of <paramref name="callHash"/> if it still holds
    /// <paramref name="expected"/> (compare-and-delete); says whether it did. A registration after the delete finds
    /// no record, so it schedules the call again.
    /// </summary>
    public Task<bool> DeletePendingReturnsAsync(string callHash, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return Store.CompareAndDeleteAsync(KeyOf(MemKeyType.PendingReturns, callHash), expected, cancellationToken);
    }

    /// <summary>
    /// Sends every return registered on <paramref name="callHash"/> through <paramref name="send"/> and removes the
    /// record, in a compare-and-delete loop that never sends one return twice. A <see cref="SpawnLimitException"/>
    /// from <paramref name="send"/> is raised after every other return was sent.
    /// </summary>
    public Task RemovePendingReturnsAsync(string callHash, Func<PendingReturn, Task> send, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        return SendReturnsAsync(callHash, setFirst: null, (r, _) => send(r), cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="value"/> as the value of <paramref name="callHash"/>, then sends and removes its returns
    /// as <see cref="RemovePendingReturnsAsync"/> does. The write and the first read of the returns go to the store
    /// together (<see cref="IStore.SetThenGetAsync"/>): one round trip where the store keeps their order.
    /// </summary>
    /// <exception cref="SizeLimitException">The value is over <see cref="BrrrLimits.MaxValueBytes"/>; nothing is written or sent.</exception>
    public Task SetValueAndSendReturnsAsync(string callHash, byte[] value, Func<PendingReturn, Task> send, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        return SetValueAndSendReturnsAsync(callHash, value, (r, _) => send(r), cancellationToken);
    }

    /// <summary>
    /// <see cref="SetValueAndSendReturnsAsync(string, byte[], Func{PendingReturn, Task}, CancellationToken)"/> with a
    /// <paramref name="send"/> that gets the token: a caller can make it once and hand it to every call.
    /// </summary>
    /// <exception cref="SizeLimitException">The value is over <see cref="BrrrLimits.MaxValueBytes"/>; nothing is written or sent.</exception>
    internal Task SetValueAndSendReturnsAsync(
        string callHash, byte[] value, Func<PendingReturn, CancellationToken, Task> send, CancellationToken cancellationToken,
        SendThenDelete? sendThenDelete = null, FirstReturnStep? firstStep = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Limits.CheckValue(callHash, value);
        return SendReturnsAsync(callHash, (MemKeyType.Value, value), send, cancellationToken, sendThenDelete, firstStep);
    }

    /// <summary>
    /// Sends and removes the returns of <paramref name="callHash"/>; with <paramref name="setFirst"/>, its write (a value or
    /// an error record of the call) goes to the store together with the first read of the returns.
    /// </summary>
    /// <param name="callHash">The call.</param>
    /// <param name="setFirst">A write to send with the first read of the returns, or none.</param>
    /// <param name="send">Sends one return.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <param name="sendThenDelete">
    /// Sends returns and then compare-and-deletes their record in one step (<see cref="ISchedulingStore.PushThenDeleteIfAsync"/>),
    /// saying whether it deleted it and the first spawn-limit error; in place of <paramref name="send"/> and the
    /// store's compare-and-delete. Default: none.
    /// </param>
    /// <param name="firstStep">Takes the place of the write of <paramref name="setFirst"/> (which it must make) and the first read. Default: none.</param>
    internal async Task SendReturnsAsync(
        string callHash, (MemKeyType Type, byte[] Bytes)? setFirst, Func<PendingReturn, CancellationToken, Task> send, CancellationToken cancellationToken,
        SendThenDelete? sendThenDelete = null, FirstReturnStep? firstStep = null)
    {
        ArgumentNullException.ThrowIfNull(send);
        var key = KeyOf(MemKeyType.PendingReturns, callHash);
        // The returns sent by the first attempt; the set of every return sent is made only when a second attempt needs it.
        IReadOnlyList<PendingReturn>? first = null;
        HashSet<PendingReturn>? handled = null;
        SpawnLimitException? spawnLimit = null;
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            byte[]? current;
            if (attempt == 0 && firstStep is not null)
            {
                (var done, current, spawnLimit) = await firstStep(cancellationToken).ConfigureAwait(false);
                if (done)
                {
                    break;
                }
            }
            else
            {
                current = attempt == 0 && setFirst is var (type, bytes)
                    ? await Store.SetThenGetAsync(KeyOf(type, callHash), bytes, key, cancellationToken).ConfigureAwait(false)
                    : await Store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            }

            if (current is null)
            {
                break;
            }

            var returns = PendingReturns.Decode(current).Sorted;
            IReadOnlyList<PendingReturn> unsent;
            if (first is null)
            {
                first = returns;
                unsent = returns;
            }
            else
            {
                handled ??= [.. first];
                var added = new List<PendingReturn>(returns.Count);
                for (var i = 0; i < returns.Count; i++)
                {
                    if (handled.Add(returns[i]))
                    {
                        added.Add(returns[i]);
                    }
                }

                unsent = added;
            }

            var (deleted, limited) = sendThenDelete is not null
                ? await sendThenDelete(unsent, key, current, cancellationToken).ConfigureAwait(false)
                : await SendEachThenDeleteAsync(unsent, send, key, current, cancellationToken).ConfigureAwait(false);
            spawnLimit ??= limited;
            if (deleted)
            {
                break;
            }

            if (attempt == MaxCasAttempts - 1)
            {
                throw new BrrrException($"Could not remove the returns of {key}: the record changed under {MaxCasAttempts} compare-and-delete attempts in a row.");
            }
        }

        if (spawnLimit is not null)
        {
            throw spawnLimit;
        }
    }

    /// <summary>
    /// Sends each of <paramref name="returns"/> through <paramref name="send"/>, all at once, then compare-and-deletes their
    /// record: the steps <see cref="SendThenDelete"/> takes in one where the store can.
    /// </summary>
    private async Task<(bool Deleted, SpawnLimitException? Limited)> SendEachThenDeleteAsync(
        IReadOnlyList<PendingReturn> returns, Func<PendingReturn, CancellationToken, Task> send, MemKey key, byte[] expected, CancellationToken cancellationToken)
    {
        var sends = new Task[returns.Count];
        for (var i = 0; i < sends.Length; i++)
        {
            sends[i] = Start(send, returns[i], cancellationToken);
        }

        // Every send runs to its end before anything is raised: a failed one must not hide the others.
        var limited = await SpawnLimitAware.WhenAllAsync(sends).ConfigureAwait(false);
        return (await Store.CompareAndDeleteAsync(key, expected, cancellationToken).ConfigureAwait(false), limited);
    }

    private static Task Start(Func<PendingReturn, CancellationToken, Task> send, PendingReturn pendingReturn, CancellationToken cancellationToken)
    {
        try
        {
            return send(pendingReturn, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>The store key of <paramref name="callHash"/>: a hash outside <see cref="Identifiers.CallHash"/>'s alphabet never becomes a key.</summary>
    internal static MemKey KeyOf(MemKeyType type, string callHash) =>
        new(type, Identifiers.IsCallHash(callHash) ? callHash : Identifiers.CallHash(callHash, $"store key {type}"));

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
