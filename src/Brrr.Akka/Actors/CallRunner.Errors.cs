using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Akka.Actors;

internal sealed partial class CallRunner
{
    /// <summary>
    /// Stores the error record of a call that failed for good, unless it has one already, and sends its pending returns,
    /// so that its parents run again and meet the failure. Returns whether the call had an error record already: it
    /// failed for good before, or another run of it failed at the same time and stored its record first, so its dead
    /// letter is pushed already (the record is written if absent, in one step, so of two runs that fail at once exactly
    /// one stores it). A message that did not decode names no call: it has no record (only its dead letter); nor has a
    /// call whose value is stored (it failed after completing, e.g. while waking its parents). The parents' jobs are
    /// pushed even when the root is over its spawn limit (<see cref="CallProcessor.ReturnErrorAsync"/>).
    /// </summary>
    private async Task<bool> StoreErrorAsync(ScheduleMessage? decoded, string? taskName, Exception error, int attempts)
    {
        var worker = _topic.Worker;
        if (decoded is null || await worker.Processor.Memory.HasValueAsync(decoded.CallHash, worker.Aborting).ConfigureAwait(false))
        {
            return false;
        }

        var record = ErrorRecord.Of(taskName ?? "?", decoded.CallHash, decoded.RootId, error, attempts, DateTimeOffset.UtcNow);
        var stored = await worker.Processor.Memory.SetErrorIfAbsentAsync(record, worker.Aborting).ConfigureAwait(false);
        var retention = worker.Processor.RetentionOf(_topic.Tasks, taskName);
        await worker.ApplyEffectAsync(new ReturnError(record) { Retention = retention, Stored = true }, worker.Aborting).ConfigureAwait(false);
        return !stored;
    }
}
