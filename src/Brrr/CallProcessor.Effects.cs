using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

internal sealed partial class CallProcessor
{
    /// <summary>
    /// The store effects of <paramref name="outcome"/>: one <see cref="RegisterChild"/> per child of a
    /// <see cref="CallDeferred"/>, one <see cref="ReturnValue"/> for a <see cref="CallCompleted"/> (with
    /// <paramref name="retention"/>), none for a skipped run.
    /// </summary>
    public static IReadOnlyList<StoreEffect> EffectsOf(LoadedCall loaded, CallOutcome outcome, TimeSpan? retention = null)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return outcome switch
        {
            CallDeferred deferred => [.. deferred.Children.Select(child => (StoreEffect)new RegisterChild(loaded, child))],
            CallCompleted completed => [new ReturnValue(loaded.Call.CallHash, completed) { Retention = retention }],
            CallStillWaiting or CallCancelled or CallThrottled => [],
            _ => throw new ArgumentException($"Unknown outcome {outcome}.", nameof(outcome)),
        };
    }

    /// <summary>Applies one store effect against the store and the queue, now.</summary>
    /// <exception cref="SpawnLimitException">A job went over its root's spawn limit (for a return: after the other returns were sent).</exception>
    public Task ApplyEffectAsync(StoreEffect effect, CancellationToken cancellationToken = default) => effect switch
    {
        RegisterChild register => RegisterChildAsync(register.Parent, register.Child, cancellationToken),
        ReturnValue value => ReturnValueAsync(value.CallHash, value.Outcome.Value, value.Outcome.AlreadyStored, value.Retention, cancellationToken),
        ReturnError error => ReturnErrorAsync(error.Error, error.Retention, error.Stored, cancellationToken),
        null => throw new ArgumentNullException(nameof(effect)),
        _ => throw new ArgumentException($"Unknown effect {effect}.", nameof(effect)),
    };

    /// <summary>
    /// Applies a <see cref="CallCompleted"/>: store the value, then push a job for every waiting parent (a return of a
    /// cancelled root is dropped, or handed over to a root that still waits on its parent).
    /// </summary>
    /// <param name="callHash">The call.</param>
    /// <param name="value">Its encoded value.</param>
    /// <param name="alreadyStored">The value is in the store already: only the parents' jobs are pushed.</param>
    /// <param name="retention">How long the call's records are kept once the returns were sent (<see cref="Memory.ExpireSettledAsync"/>); <c>null</c>: forever.</param>
    /// <param name="cancellationToken">Cancels the store and queue requests.</param>
    /// <exception cref="SpawnLimitException">A parent's job went over its root's spawn limit (the others were pushed).</exception>
    public async Task ReturnValueAsync(string callHash, byte[] value, bool alreadyStored = false, TimeSpan? retention = null, CancellationToken cancellationToken = default)
    {
        if (alreadyStored)
        {
            await Memory.SendReturnsAsync(callHash, setFirst: null, _sendReturn, cancellationToken, _sendThenDelete).ConfigureAwait(false);
        }
        else
        {
            var firstStep = await KnownReturnStepAsync(callHash, value, cancellationToken).ConfigureAwait(false);
            await Memory.SetValueAndSendReturnsAsync(callHash, value, _sendReturn, cancellationToken, _sendThenDelete, firstStep).ConfigureAwait(false);
        }

        if (retention is { } ttl)
        {
            // Not cached in this process: a job of a call whose value expired must run it again, not return a cached value.
            await Memory.ExpireSettledAsync(callHash, ttl, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Cached only once stored: a value this process knows is a value the store holds.
        Values.Put(callHash, value);
    }

    /// <summary>
    /// For a call this process scheduled with one return address (<see cref="ISchedulingStore.SetNewAndPushAsync"/>), whose
    /// root is not cancelled: the step that writes <paramref name="value"/> and, if the call's record still holds just
    /// that return, wakes its parent and removes the record, in one request (<see cref="ISchedulingStore.SetThenPushIfAsync"/>);
    /// else <c>null</c>.
    /// </summary>
    private async ValueTask<FirstReturnStep?> KnownReturnStepAsync(string callHash, byte[] value, CancellationToken cancellationToken)
    {
        if (_schedulingStore is not { } store || _firstReturns.Get(callHash) is not { } first
            || await Cancelled.IsCancelledAsync(first.Return.RootId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return async token =>
        {
            var message = new ScheduleMessage(first.Return.RootId, first.Return.CallHash);
            var (sent, current, count) = await store.SetThenPushIfAsync(
                    Memory.KeyOf(MemKeyType.Value, callHash), value, Memory.KeyOf(MemKeyType.PendingReturns, callHash), first.Bytes,
                    message.RootId, Jobs.SpawnLimit, first.Return.Topic, message.ToWire(), token)
                .ConfigureAwait(false);
            return (sent, current, sent ? Jobs.OverLimit(message.RootId, count) : null);
        };
    }

    /// <summary>
    /// Registers the return address of <paramref name="parent"/> on <paramref name="child"/> and, when the registration
    /// says the child must be scheduled, stores its call record and pushes its job; the job of a delayed child (a sleep's
    /// timer, a delayed call) is delayed to its due time, stored by the first scheduling.
    /// </summary>
    private async Task RegisterChildAsync(LoadedCall parent, ChildCall child, CancellationToken cancellationToken)
    {
        var returnAddress = new PendingReturn(parent.Message.RootId, parent.Call.CallHash, parent.Delivery.Topic);
        byte[]? read = null;
        if (_schedulingStore is { } store && !child.IsDelayed && !parent.Delivery.Redelivered && Calls.Get(child.Call.CallHash) is null)
        {
            // A child not known here (most likely new) is registered, recorded and pushed in one step; one with returns is
            // registered on them from there (the record read, no second read). A child known here most likely has returns
            // already: its registration alone is a smaller request than the one step, which carries the call record.
            var message = new ScheduleMessage(parent.Message.RootId, child.Call.CallHash);
            (read, var written) = await Memory.ScheduleFirstAsync(store, child.Call, returnAddress, Jobs, child.Topic, message, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                Calls.Put(child.Call.CallHash, child.Call);
                _firstReturns.Put(child.Call.CallHash, new FirstReturn(written, returnAddress));
                return;
            }
        }

        if (await Memory.AddPendingReturnAsync(child.Call.CallHash, returnAddress, parent.Delivery.Redelivered, read, cancellationToken).ConfigureAwait(false))
        {
            // Only the registration that schedules the child writes its call record, before its job exists:
            // a child already scheduled has one, and a re-run parent would otherwise rewrite it every time.
            await Memory.SetCallAsync(child.Call, cancellationToken).ConfigureAwait(false);
            Calls.Put(child.Call.CallHash, child.Call);
            var message = new ScheduleMessage(parent.Message.RootId, child.Call.CallHash);
            if (child.IsDelayed)
            {
                // The first scheduling fixes the due time; a later one (retried root, redelivered parent) reads it back,
                // so a re-schedule neither shortens nor lengthens the wait.
                var wanted = child.NotBefore ?? DateTimeOffset.UtcNow + child.Delay!.Value;
                var due = await Memory.SetDueIfAbsentAsync(child.Call.CallHash, wanted, cancellationToken).ConfigureAwait(false);
                await Jobs.PutAsync(child.Topic, message, due, cancellationToken).ConfigureAwait(false);
                return;
            }

            await Jobs.PutAsync(child.Topic, message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts every effect at once and waits for all of them; then raises the first error that is not a spawn-limit
    /// error, else the first spawn-limit error (only once every other effect is known to be done).
    /// </summary>
    private static async Task ApplyAllAsync(IReadOnlyList<StoreEffect> effects, Func<StoreEffect, CancellationToken, Task> apply, CancellationToken cancellationToken)
    {
        var running = new Task[effects.Count];
        for (var i = 0; i < running.Length; i++)
        {
            running[i] = Start(apply, effects[i], cancellationToken);
        }

        if (await SpawnLimitAware.WhenAllAsync(running).ConfigureAwait(false) is { } spawnLimit)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(spawnLimit);
        }
    }

    private static Task Start(Func<StoreEffect, CancellationToken, Task> apply, StoreEffect effect, CancellationToken cancellationToken)
    {
        try
        {
            return apply(effect, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }
}
