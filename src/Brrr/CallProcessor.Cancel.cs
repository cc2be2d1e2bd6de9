using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

internal sealed partial class CallProcessor
{
    /// <summary>How many pending_returns records a search for a root that still waits on a call reads at most.</summary>
    internal const int MaxWaitingRootSearch = 64;

    /// <summary>The cancel marks of roots, as this worker sees them (read again at most once per <see cref="CancelledRoots.Interval"/>).</summary>
    public CancelledRoots Cancelled { get; }

    /// <summary>
    /// <c>null</c> when the root of <paramref name="loaded"/> is not cancelled; else the job is not run, and when
    /// another root that is not cancelled waits on the call (<see cref="FindWaitingRootAsync"/>), it is pushed again
    /// under that root, which then runs it (and registers its own children under it).
    /// </summary>
    private async Task<CallCancelled?> SkipIfCancelledAsync(LoadedCall loaded, CancellationToken cancellationToken)
    {
        if (!await Cancelled.IsCancelledAsync(loaded.Message.RootId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var waiting = await FindWaitingRootAsync(loaded.Call.CallHash, cancellationToken).ConfigureAwait(false);
        if (waiting is not null)
        {
            await Jobs.PutAsync(loaded.Delivery.Topic, new ScheduleMessage(waiting, loaded.Call.CallHash), cancellationToken).ConfigureAwait(false);
        }

        return new CallCancelled(waiting);
    }

    /// <summary>
    /// Sends the return <paramref name="pendingReturn"/>: as it is when its root is not cancelled; else under a root
    /// that still waits on its parent (<see cref="FindWaitingRootAsync"/>), or not at all (it is dropped: the
    /// compare-and-delete removes it with the others).
    /// </summary>
    private async Task SendReturnAsync(PendingReturn pendingReturn, CancellationToken cancellationToken)
    {
        if (await RootToWakeAsync(pendingReturn, cancellationToken).ConfigureAwait(false) is { } rootId)
        {
            await Jobs.PutAsync(pendingReturn.Topic, new ScheduleMessage(rootId, pendingReturn.CallHash), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="SendReturnAsync"/> for every one of <paramref name="returns"/>, with the compare-and-delete of their
    /// record (<see cref="Backends.ISchedulingStore.PushThenDeleteIfAsync"/>): one store request.
    /// </summary>
    private async Task<(bool Deleted, SpawnLimitException? Limited)> SendThenDeleteAsync(
        IReadOnlyList<PendingReturn> returns, MemKey key, byte[] expected, CancellationToken cancellationToken)
    {
        // The roots are looked up together (a cancel mark not known here is a read), then taken in order.
        var roots = new ValueTask<string?>[returns.Count];
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] = RootToWakeAsync(returns[i], cancellationToken);
        }

        var jobs = new List<(string RootId, string Topic, string Message)>(returns.Count);
        for (var i = 0; i < returns.Count; i++)
        {
            if (await roots[i].ConfigureAwait(false) is { } rootId)
            {
                jobs.Add((rootId, returns[i].Topic, new ScheduleMessage(rootId, returns[i].CallHash).ToWire()));
            }
        }

        var (counts, deleted) = await _schedulingStore!.PushThenDeleteIfAsync(jobs, Jobs.SpawnLimit, key, expected, cancellationToken).ConfigureAwait(false);
        SpawnLimitException? limited = null;
        for (var i = 0; i < counts.Length && limited is null; i++)
        {
            limited = Jobs.OverLimit(jobs[i].RootId, counts[i]);
        }

        return (deleted, limited);
    }

    /// <summary>
    /// The root a return wakes its parent under: its own, or when that root is cancelled another that still waits on the
    /// parent (<see cref="FindWaitingRootAsync"/>), or <c>null</c>: the return is dropped.
    /// </summary>
    private async ValueTask<string?> RootToWakeAsync(PendingReturn pendingReturn, CancellationToken cancellationToken) =>
        await Cancelled.IsCancelledAsync(pendingReturn.RootId, cancellationToken).ConfigureAwait(false)
            ? await FindWaitingRootAsync(pendingReturn.CallHash, cancellationToken).ConfigureAwait(false)
            : pendingReturn.RootId;

    /// <summary>
    /// A root that is not cancelled and waits on <paramref name="callHash"/>: the root of one of its pending returns,
    /// or, when all those roots are cancelled, one that waits on one of their parents, and so on up (breadth first,
    /// at most <see cref="MaxWaitingRootSearch"/> records read). When none does, every record read (each holds only
    /// returns of cancelled roots, which would be dropped anyway) is deleted if unchanged, so that a root that
    /// registers on one of those calls later schedules it again instead of waiting on a job that was skipped; a record
    /// that changed meanwhile makes the search start over (a new registration may be of a live root). Costs store
    /// requests only for jobs and returns of cancelled roots.
    /// </summary>
    private async Task<string?> FindWaitingRootAsync(string callHash, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (rootId, read) = await SearchWaitingRootAsync(callHash, cancellationToken).ConfigureAwait(false);
            if (rootId is not null)
            {
                return rootId;
            }

            var deleted = await Task.WhenAll(read.Select(r => Memory.DeletePendingReturnsAsync(r.CallHash, r.Record, cancellationToken))).ConfigureAwait(false);
            if (attempt == Memory.MaxCasAttempts || deleted.All(d => d))
            {
                return null;
            }
        }
    }

    private async Task<(string? RootId, List<(string CallHash, byte[] Record)> Read)> SearchWaitingRootAsync(string callHash, CancellationToken cancellationToken)
    {
        var read = new List<(string CallHash, byte[] Record)>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { callHash };
        var next = new Queue<string>([callHash]);
        while (read.Count < MaxWaitingRootSearch && next.TryDequeue(out var hash))
        {
            if (await Memory.GetPendingReturnsAsync(hash, cancellationToken).ConfigureAwait(false) is not { } record)
            {
                continue;
            }

            read.Add((hash, record));
            foreach (var pendingReturn in PendingReturns.Decode(record).Returns)
            {
                if (!await Cancelled.IsCancelledAsync(pendingReturn.RootId, cancellationToken).ConfigureAwait(false))
                {
                    return (pendingReturn.RootId, read);
                }

                if (seen.Add(pendingReturn.CallHash))
                {
                    next.Enqueue(pendingReturn.CallHash);
                }
            }
        }

        return (null, read);
    }
}
