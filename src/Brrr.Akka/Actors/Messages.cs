using Akka.Routing;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Akka.Actors;

/// <summary>
/// Run the call of a received message and apply its outcome; the runner completes <see cref="Handled"/> once the
/// message is settled. A completion source instead of an Ask: no temporary actor and no timer per call.
/// </summary>
internal sealed record RunCall(QueueDelivery Delivery, TaskCompletionSource Handled);

/// <summary>
/// A store effect of a call's outcome, serialized per <see cref="Key"/> by the effects actors. <see cref="Done"/>
/// completes with <c>null</c> once it is applied, or with the error that stopped it.
/// </summary>
internal abstract record Effect(TaskCompletionSource<Exception?> Done) : IConsistentHashable
{
    /// <summary>The call hash whose records the effect changes.</summary>
    public abstract string Key { get; }

    public object ConsistentHashKey => Key;
}

/// <summary>Register the return address of <see cref="Parent"/> on <see cref="Child"/> and push the child's job if needed.</summary>
internal sealed record RegisterChild(LoadedCall Parent, ChildCall Child, TaskCompletionSource<Exception?> Done) : Effect(Done)
{
    public override string Key => Child.Call.CallHash;
}

/// <summary>Store the value of a call and push its waiting parents' jobs.</summary>
internal sealed record ReturnValue(string CallHash, CallCompleted Outcome, TaskCompletionSource<Exception?> Done) : Effect(Done)
{
    public override string Key => CallHash;
}
