using Brrr.Protocol;

namespace Brrr;

internal sealed partial class CallProcessor
{
    /// <summary>
    /// Applies a permanent failure: stores <paramref name="error"/> as its call's error record, then pushes a job for
    /// every waiting parent, as for a value, so that they run again and meet the failure. These jobs are not counted
    /// against their roots' spawn limits: a call that failed because its root reached the limit must still wake its
    /// parents, or the root would wait forever on a failure nobody sees. Each call fails once, so the wake-ups of a
    /// failure are bounded by the calls that wait on it; the jobs of runs (and every job a reference worker pushes)
    /// are still counted.
    /// </summary>
    /// <param name="error">The error record.</param>
    /// <param name="retention">How long the call's records are kept once the returns were sent (<see cref="Memory.ExpireSettledAsync"/>); <c>null</c>: forever.</param>
    /// <param name="stored">The error record is in the store already: only the returns are sent.</param>
    /// <param name="cancellationToken">Cancels the store and queue requests.</param>
    public async Task ReturnErrorAsync(ErrorRecord error, TimeSpan? retention = null, bool stored = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        Task SendAsync(PendingReturn r) => Jobs.PutUncountedAsync(r.Topic, new ScheduleMessage(r.RootId, r.CallHash), cancellationToken);
        if (stored)
        {
            await Memory.RemovePendingReturnsAsync(error.CallHash, SendAsync, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Memory.SetErrorAndSendReturnsAsync(error, SendAsync, cancellationToken).ConfigureAwait(false);
        }

        if (retention is { } ttl)
        {
            await Memory.ExpireSettledAsync(error.CallHash, ttl, cancellationToken).ConfigureAwait(false);
        }
    }
}
