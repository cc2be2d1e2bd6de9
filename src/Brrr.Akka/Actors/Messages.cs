using Akka.Routing;
using Brrr.Backends;

namespace Brrr.Akka.Actors;

/// <summary>
/// Run the call of a received message and apply its outcome; the runner completes <see cref="Handled"/> once the
/// message is settled. A completion source instead of an Ask: no temporary actor and no timer per call.
/// </summary>
internal sealed record RunCall(QueueDelivery Delivery, TaskCompletionSource Handled);

/// <summary>
/// A store effect of a call's outcome, serialized per key by the effects actors. <see cref="Done"/> completes once
/// the effect is applied, or with the error (or cancellation) that stopped it; its continuations never run inside the
/// actor's own continuation. <see cref="Cancellation"/> is the call's: its timeout covers the effect too.
/// </summary>
internal sealed record EffectWork(StoreEffect Effect, CancellationToken Cancellation, TaskCompletionSource Done) : IConsistentHashable
{
    public string Key => Effect.Key;

    public object ConsistentHashKey => Key;

    public static EffectWork Of(StoreEffect effect, CancellationToken cancellation) =>
        new(effect, cancellation, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
