using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Akka.Actors;

internal sealed partial class CallRunner
{
    /// <summary>
    /// Stores the error record of a call that failed for good and sends its pending returns, so that its parents run
    /// again and meet the failure. A message that did not decode names no call: it has no record (only its dead letter);
    /// nor has a call whose value is stored (it failed after completing, e.g. while waking its parents). The parents'
    /// jobs are pushed even when the root is over its spawn limit (<see cref="CallProcessor.ReturnErrorAsync"/>).
    /// </summary>
    private async Task StoreErrorAsync(ScheduleMessage? decoded, string? taskName, Exception error, int attempts)
    {
        var worker = _topic.Worker;
        if (decoded is null || await worker.Processor.Memory.HasValueAsync(decoded.CallHash, worker.Aborting).ConfigureAwait(false))
        {
            return;
        }

        var record = ErrorRecord.Of(taskName ?? "?", decoded.CallHash, decoded.RootId, error, attempts, DateTimeOffset.UtcNow);
        await worker.ApplyEffectAsync(new ReturnError(record), worker.Aborting).ConfigureAwait(false);
    }
}
