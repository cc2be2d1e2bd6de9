using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

public sealed partial class CallProcessor
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
        var rootId = pendingReturn.RootId;
        if (await Cancelled.IsCancelledAsync(rootId, cancellationToken).ConfigureAwait(false)
            && (rootId = await FindWaitingRootAsync(pendingReturn.CallHash, cancellationToken).ConfigureAwait(false)) is null)
        {
            return;
        }

        await Jobs.PutAsync(pendingReturn.Topic, new ScheduleMessage(rootId, pendingReturn.CallHash), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A root that is not cancelled and waits on <paramref name="callHash"/>: the root of one of its pending returns,
    /// or, when all those roots are cancelled, one that waits on one of their parents, and so on up (breadth first,
    /// at most <see cref="MaxWaitingRootSearch"/> records read). <c>null</c> when none does. Costs store reads only
    /// for jobs and returns of cancelled roots.
    /// </summary>
    private async Task<string?> FindWaitingRootAsync(string callHash, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { callHash };
        var next = new Queue<string>([callHash]);
        for (var reads = 0; reads < MaxWaitingRootSearch && next.TryDequeue(out var hash); reads++)
        {
            var record = await Memory.GetPendingReturnsAsync(hash, cancellationToken).ConfigureAwait(false);
            foreach (var pendingReturn in record?.Returns ?? [])
            {
                if (!await Cancelled.IsCancelledAsync(pendingReturn.RootId, cancellationToken).ConfigureAwait(false))
                {
                    return pendingReturn.RootId;
                }

                if (seen.Add(pendingReturn.CallHash))
                {
                    next.Enqueue(pendingReturn.CallHash);
                }
            }
        }

        return null;
    }
}
