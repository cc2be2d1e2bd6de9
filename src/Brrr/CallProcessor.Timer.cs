using Brrr.Tasks;

namespace Brrr;

internal sealed partial class CallProcessor
{
    /// <summary>
    /// Runs a timer of <see cref="TaskContext.Sleep"/>: once its stored due time has come it completes with that time as
    /// its value (waking the sleeping calls); before it, its job is pushed again, delayed to the due time, and this one is
    /// dropped (<see cref="CallStillWaiting"/>), so a timer job delivered early (a duplicate of at-least-once delivery, a
    /// job pushed by hand) never wakes a sleeper early. A timer whose due record is missing (its first scheduling
    /// predates it, or the record was removed) fixes it now, from the delay in its arguments.
    /// </summary>
    /// <exception cref="ProtocolException">The timer's arguments or due record are malformed.</exception>
    private async Task<CallOutcome> RunTimerAsync(LoadedCall loaded, CancellationToken cancellationToken)
    {
        var callHash = loaded.Call.CallHash;
        var now = DateTimeOffset.UtcNow;
        var due = await Memory.GetDueAsync(callHash, cancellationToken).ConfigureAwait(false)
            ?? await Memory.SetDueIfAbsentAsync(callHash, now + SleepTimer.DelayOf(Codec, loaded.Call), cancellationToken).ConfigureAwait(false);
        if (now < due)
        {
            await Jobs.PutAsync(loaded.Delivery.Topic, loaded.Message, due, cancellationToken).ConfigureAwait(false);
            return CallStillWaiting.Instance;
        }

        return new CallCompleted(Codec.EncodeReturn(due.ToUnixTimeMilliseconds()));
    }
}
