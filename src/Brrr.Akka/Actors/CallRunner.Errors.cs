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
    /// <summary>
    /// Whether the call of <paramref name="decoded"/> failed for good before: it has an error record and no value. Its
    /// dead letter is then in its dead-letter topic already (a parent woken twice, by a sibling's return and by its
    /// failed child, fails twice), so a second one is not pushed; its error record is still written and its returns
    /// sent, for a parent that registered since. A read that fails counts as no earlier failure.
    /// </summary>
    private async Task<bool> FailedBeforeAsync(ScheduleMessage? decoded)
    {
        if (decoded is null)
        {
            return false;
        }

        try
        {
            var (value, error) = await _topic.Worker.Processor.Memory.GetValueOrErrorAsync(decoded.CallHash, _topic.Worker.Aborting).ConfigureAwait(false);
            return value is null && error is not null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

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
