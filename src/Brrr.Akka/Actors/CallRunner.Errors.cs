using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Akka.Actors;

internal sealed partial class CallRunner
{
    /// <summary>
    /// What the store held for the call of <paramref name="decoded"/> before this failure: whether it has a value, and
    /// whether it has an error record; <c>null</c> when the message names no call or the read failed. A call with an
    /// error record and no value failed for good before, so its dead letter is in its dead-letter topic already (a
    /// parent woken twice, by a sibling's return and by its failed child, fails twice): a second one is not pushed, but
    /// its error record is still written and its returns sent, for a parent that registered since.
    /// </summary>
    private async Task<(bool HasValue, bool HasError)?> PriorAsync(ScheduleMessage? decoded)
    {
        if (decoded is null)
        {
            return null;
        }

        try
        {
            var (value, error) = await _topic.Worker.Processor.Memory.GetValueOrErrorAsync(decoded.CallHash, _topic.Worker.Aborting).ConfigureAwait(false);
            return (value is not null, error is not null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stores the error record of a call that failed for good and sends its pending returns, so that its parents run
    /// again and meet the failure. A message that did not decode names no call: it has no record (only its dead letter);
    /// nor has a call whose value is stored (it failed after completing, e.g. while waking its parents), which
    /// <paramref name="prior"/> tells when it was read. The parents' jobs are pushed even when the root is over its
    /// spawn limit (<see cref="CallProcessor.ReturnErrorAsync"/>).
    /// </summary>
    private async Task StoreErrorAsync(ScheduleMessage? decoded, (bool HasValue, bool HasError)? prior, string? taskName, Exception error, int attempts)
    {
        var worker = _topic.Worker;
        if (decoded is null || (prior?.HasValue ?? await worker.Processor.Memory.HasValueAsync(decoded.CallHash, worker.Aborting).ConfigureAwait(false)))
        {
            return;
        }

        var record = ErrorRecord.Of(taskName ?? "?", decoded.CallHash, decoded.RootId, error, attempts, DateTimeOffset.UtcNow);
        var retention = worker.Processor.RetentionOf(_topic.Tasks, taskName);
        await worker.ApplyEffectAsync(new ReturnError(record) { Retention = retention }, worker.Aborting).ConfigureAwait(false);
    }
}
