using System.Globalization;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

internal sealed partial class CallProcessor
{
    /// <summary>How many missing-child reads a debounce check sends at once.</summary>
    internal const int ChildReadBatch = 16;

    /// <summary>
    /// The key of <see cref="Waiting"/>: a call's debounce is per root, since only a job of the same root is brought
    /// back by the children that root's run registered on.
    /// </summary>
    internal static string WaitingKey(string rootId, string callHash)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(callHash);
        return string.Create(CultureInfo.InvariantCulture, $"{rootId.Length}:{rootId}{callHash}");
    }

    /// <summary>
    /// The children a job of <paramref name="loaded"/>'s call and root may wait for: its entry in <see cref="Waiting"/>,
    /// or else (with <see cref="RecordsChildren"/>) the children its children record lists when the record is of the
    /// same root; <c>null</c> when there are none to check. The record is written only once the deferring run's
    /// registrations are done (<see cref="ExecuteAsync"/>), so every child it lists holds the call's return address
    /// under that root: a listed child found missing will wake the call, whichever worker deferred it. A record that
    /// cannot be decoded is ignored (the job runs).
    /// </summary>
    private async ValueTask<WaitingChildren?> WaitingOnAsync(LoadedCall loaded, CancellationToken cancellationToken)
    {
        var key = loaded.WaitingKey;
        if (Waiting.Get(key) is { } local)
        {
            return local;
        }

        if (!RecordsChildren)
        {
            return null;
        }

        var record = loaded.ChildrenRead ? loaded.Children : await Memory.GetReadableChildrenAsync(loaded.Call.CallHash, cancellationToken).ConfigureAwait(false);
        if (record is null || record.Children.Count == 0 || !string.Equals(record.RootId, loaded.Message.RootId, StringComparison.Ordinal))
        {
            return null;
        }

        var waiting = new WaitingChildren(record.Children.Select(c => c.CallHash).ToArray()) { FromRecord = true };
        Waiting.Put(key, waiting);
        return waiting;
    }

    /// <summary>
    /// Remembers that <paramref name="loaded"/> (its root and call) waits for <paramref name="children"/>, whose
    /// registrations of its return address are all done: until one of them completes, a job of the call and root
    /// can be skipped.
    /// </summary>
    private void RegisteredWaiting(LoadedCall loaded, IReadOnlyList<ChildCall> children) =>
        Waiting.Put(loaded.WaitingKey, new WaitingChildren(children.Select(c => c.Call.CallHash).ToArray()));

    /// <summary>
    /// Whether one of the children of <paramref name="waiting"/> has no value (nor error record) yet and holds the return
    /// address of <paramref name="parent"/> (its call under its root), so that it will wake it. The child found missing last is
    /// read first (it most likely still is); the others are read <see cref="ChildReadBatch"/> at a time, so a wide
    /// fan-out costs a few round trips, not one per child. The values found are cached for the run.
    /// </summary>
    private async Task<bool> AnyMissingAsync(WaitingChildren waiting, LoadedCall parent, CancellationToken cancellationToken)
    {
        var children = waiting.Children;
        var last = waiting.LastMissing;
        if (!await SettledAsync(children[last], parent, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        for (var start = 0; start < children.Count; start += ChildReadBatch)
        {
            var reads = new Task<bool>[Math.Min(ChildReadBatch, children.Count - start)];
            for (var i = 0; i < reads.Length; i++)
            {
                reads[i] = start + i == last ? Task.FromResult(true) : SettledAsync(children[start + i], parent, cancellationToken);
            }

            var settled = await Task.WhenAll(reads).ConfigureAwait(false);
            var missing = Array.IndexOf(settled, false);
            if (missing >= 0)
            {
                waiting.LastMissing = start + missing;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="callHash"/> has a value, or else an error record, or else no pending returns for
    /// <paramref name="parent"/>'s call under its root: then it settled and sent that return, and its records may have
    /// expired since (a task with a retention) and been registered on again by other parents only, so the job must run
    /// (and register on it again), or nothing would ever wake it. One store request where the store reads the three
    /// records together (<see cref="Memory.GetSettlementAsync"/>); else the error and the returns only when needed.
    /// </summary>
    private async Task<bool> SettledAsync(string callHash, LoadedCall parent, CancellationToken cancellationToken)
    {
        if (Values.Get(callHash) is not null)
        {
            return true;
        }

        var (value, hasError, pendingReturns) = await Memory.GetSettlementAsync(callHash, cancellationToken).ConfigureAwait(false);
        if (value is not null)
        {
            Values.Put(callHash, value);
            return true;
        }

        return hasError || pendingReturns is null || !HoldsReturnOf(pendingReturns, parent);
    }

    /// <summary>
    /// Whether <paramref name="pendingReturns"/> (a child's record as stored) holds the return address of
    /// <paramref name="parent"/>'s call under its root; an unreadable record holds none, so the parent runs.
    /// </summary>
    private static bool HoldsReturnOf(byte[] pendingReturns, LoadedCall parent)
    {
        try
        {
            // The sorted array, not the public set: this runs for every missing child a debounce check reads.
            var held = PendingReturns.Decode(pendingReturns).Sorted;
            for (var i = 0; i < held.Count; i++)
            {
                if (string.Equals(held[i].RootId, parent.Message.RootId, StringComparison.Ordinal)
                    && string.Equals(held[i].CallHash, parent.Call.CallHash, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }
}

/// <summary>The children a deferred run found missing, in the order it asked for them (see <see cref="CallProcessor.Waiting"/>). Thread safe.</summary>
internal sealed class WaitingChildren
{
    private int _lastMissing;

    /// <summary>Creates the record.</summary>
    /// <param name="children">The call hashes of the missing children; at least one.</param>
    public WaitingChildren(IReadOnlyList<string> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        ArgumentOutOfRangeException.ThrowIfZero(children.Count);
        Children = children;
    }

    /// <summary>The call hashes of the missing children.</summary>
    public IReadOnlyList<string> Children { get; }

    /// <summary>
    /// Whether this was read from the call's children record (another process may have seen the deferral, and may
    /// run the call on another wake-up), rather than remembered from a deferral in this process.
    /// </summary>
    public bool FromRecord { get; init; }

    /// <summary>The index of the child found missing by the last check (0 before any).</summary>
    internal int LastMissing
    {
        get => Volatile.Read(ref _lastMissing);
        set => Volatile.Write(ref _lastMissing, value);
    }
}
