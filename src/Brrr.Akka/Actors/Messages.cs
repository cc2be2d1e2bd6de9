using Akka.Routing;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Akka.Actors;

/// <summary>Run the call of a received message and apply its outcome; the runner replies <see cref="CallHandled"/>.</summary>
internal sealed record RunCall(QueueDelivery Delivery);

/// <summary>A call's message is settled (acknowledged, or released/dropped after a failure).</summary>
internal sealed record CallHandled(QueueDelivery Delivery);

/// <summary>Register the return address of <see cref="Parent"/> on <see cref="Child"/> and push the child's job if needed.</summary>
internal sealed record RegisterChild(LoadedCall Parent, ChildCall Child) : IConsistentHashable
{
    public object ConsistentHashKey => Child.Call.CallHash;
}

/// <summary>Store the value of a call and push its waiting parents' jobs.</summary>
internal sealed record ReturnValue(string CallHash, byte[] Value) : IConsistentHashable
{
    public object ConsistentHashKey => CallHash;
}

/// <summary>The store effects of a <see cref="RegisterChild"/> or <see cref="ReturnValue"/> are done.</summary>
internal sealed record EffectDone(Exception? Error)
{
    public static readonly EffectDone Ok = new((Exception?)null);
}
