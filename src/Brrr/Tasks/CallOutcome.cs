namespace Brrr.Tasks;

/// <summary>What one run of a call produced: <see cref="CallDeferred"/> or <see cref="CallCompleted"/>.</summary>
public abstract record CallOutcome;

/// <summary>The run needs children whose values are missing; each is scheduled and the run re-runs after.</summary>
/// <param name="Children">Every missing child of the run, one per call hash.</param>
public sealed record CallDeferred(IReadOnlyList<ChildCall> Children) : CallOutcome;

/// <summary>The run returned a value.</summary>
/// <param name="Value">The encoded return value.</param>
public sealed record CallCompleted(byte[] Value) : CallOutcome;

/// <summary>A child call and the topic it is to run on.</summary>
/// <param name="Call">The child call.</param>
/// <param name="Topic">Where its job goes.</param>
public sealed record ChildCall(Call Call, string Topic);
