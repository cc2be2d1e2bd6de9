using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// One store effect of a call's outcome (<see cref="CallProcessor.EffectsOf"/>): what must be written, and which
/// jobs pushed, before the call's message may be acknowledged. A runtime may serialize the effects on one
/// <see cref="Key"/>; effects on different keys are independent.
/// </summary>
internal abstract record StoreEffect
{
    private protected StoreEffect() { }

    /// <summary>The call hash whose records the effect changes.</summary>
    public abstract string Key { get; }
}

/// <summary>Register the return address of <see cref="Parent"/> on <see cref="Child"/> and push the child's job if needed.</summary>
/// <param name="Parent">The deferred call.</param>
/// <param name="Child">A child it found missing.</param>
internal sealed record RegisterChild(LoadedCall Parent, ChildCall Child) : StoreEffect
{
    /// <inheritdoc />
    public override string Key => Child.Call.CallHash;
}

/// <summary>Store the value of a call (unless already stored) and push its waiting parents' jobs.</summary>
/// <param name="CallHash">The call.</param>
/// <param name="Outcome">Its value.</param>
internal sealed record ReturnValue(string CallHash, CallCompleted Outcome) : StoreEffect
{
    /// <summary>How long the call's records are kept once its returns were sent (<see cref="TaskPolicies.RetentionOf"/>); <c>null</c>: forever.</summary>
    public TimeSpan? Retention { get; init; }

    /// <inheritdoc />
    public override string Key => CallHash;
}

/// <summary>Store the error record of a call that failed for good and push its waiting parents' jobs.</summary>
/// <param name="Error">The error record (its call hash is the key).</param>
internal sealed record ReturnError(ErrorRecord Error) : StoreEffect
{
    /// <summary>How long the call's records are kept once its returns were sent (<see cref="TaskPolicies.RetentionOf"/>); <c>null</c>: forever.</summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>Whether the call's error record is in the store already (<see cref="Memory.SetErrorIfAbsentAsync"/>): only the returns are sent.</summary>
    public bool Stored { get; init; }

    /// <inheritdoc />
    public override string Key => Error.CallHash;
}
