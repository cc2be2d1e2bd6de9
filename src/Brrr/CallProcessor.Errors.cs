using Brrr.Protocol;

namespace Brrr;

internal sealed partial class CallProcessor
{
    /// <summary>
    /// Applies a permanent failure: stores <paramref name="error"/> as its call's error record, then pushes a job for
    /// every waiting parent, exactly as for a value, so that they run again and meet the failure.
    /// </summary>
    /// <exception cref="SpawnLimitException">A parent's job went over its root's spawn limit (the others were pushed).</exception>
    public Task ReturnErrorAsync(ErrorRecord error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        Task SendAsync(PendingReturn r) => Jobs.PutAsync(r.Topic, new ScheduleMessage(r.RootId, r.CallHash), cancellationToken);
        return Memory.SetErrorAndSendReturnsAsync(error, SendAsync, cancellationToken);
    }
}
