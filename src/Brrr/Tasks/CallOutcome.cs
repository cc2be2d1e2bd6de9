namespace Brrr.Tasks;

/// <summary>
/// What one message of a call came to: <see cref="CallDeferred"/> or <see cref="CallCompleted"/> from a run, or
/// <see cref="CallStillWaiting"/> or <see cref="CallCancelled"/> when the run was skipped, <see cref="CallThrottled"/> when it
/// was put off by a rate limit.
/// </summary>
internal abstract record CallOutcome;

/// <summary>The run needs children whose values are missing; each is scheduled and the run re-runs after.</summary>
/// <param name="Children">Every missing child of the run, one per call hash.</param>
internal sealed record CallDeferred(IReadOnlyList<ChildCall> Children) : CallOutcome;

/// <summary>The run returned a value, or the call's value was already known.</summary>
/// <param name="Value">The encoded return value.</param>
internal sealed record CallCompleted(byte[] Value) : CallOutcome
{
    /// <summary>
    /// The value is already in the store (the call was not run again): only the returns waiting on it are sent.
    /// </summary>
    public bool AlreadyStored { get; init; }
}

/// <summary>
/// The call was not run: its last run here deferred on children of which one is still missing, and that child
/// holds the call's return address, so the call's job comes again when the child completes (parent debouncing).
/// </summary>
internal sealed record CallStillWaiting : CallOutcome
{
    /// <summary>The one instance.</summary>
    public static CallStillWaiting Instance { get; } = new();

    private CallStillWaiting() { }
}

/// <summary>
/// The call was not run: the message's root is cancelled (<see cref="CancelledRoots"/>). When another root that is
/// not cancelled still waits on the call (through its pending returns, or theirs), the job was handed over to it:
/// pushed again under <see cref="HandedOverTo"/>.
/// </summary>
/// <param name="HandedOverTo">The root the job was pushed under again, or <c>null</c> when no other root waits.</param>
internal sealed record CallCancelled(string? HandedOverTo) : CallOutcome;

/// <summary>
/// The call was not run: a rate limit of its topic or task (<see cref="RateLimits"/>) reserved it a later start, so its
/// message goes back to the queue until then.
/// </summary>
/// <param name="Wait">The wait until the reserved start.</param>
internal sealed record CallThrottled(TimeSpan Wait) : CallOutcome;

/// <summary>A child call and the topic it is to run on.</summary>
/// <param name="Call">The child call.</param>
/// <param name="Topic">Where its job goes.</param>
internal sealed record ChildCall(Call Call, string Topic)
{
    /// <summary>The earliest first run the caller asked for as a point in time, or <c>null</c>.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The earliest first run the caller asked for, from the child's first scheduling, or <c>null</c>.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Whether the child's first job is to be delayed.</summary>
    public bool IsDelayed => NotBefore is not null || Delay is not null;
}
