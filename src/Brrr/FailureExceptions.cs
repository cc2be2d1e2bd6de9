namespace Brrr;

/// <summary>
/// Thrown by <c>ctx.Call</c> for a child that failed for good (it has an error record and no value). A parent may catch
/// it and return a fallback or call something else; a parent that lets it escape fails for good too, at once (a
/// child's permanent failure does not change on a retry), with the child as its cause.
/// </summary>
public sealed class ChildFailedException : BrrrException
{
    /// <summary>Creates the error for the child whose error record is <paramref name="error"/>.</summary>
    public ChildFailedException(ErrorRecord error)
        : base($"Child {error?.TaskName} ({error?.CallHash}) failed: {error?.ErrorType}: {error?.Message}")
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The child's task.</summary>
    public string TaskName => Error.TaskName;

    /// <summary>The child's call hash.</summary>
    public string CallHash => Error.CallHash;

    /// <summary>The child's error chain: the child itself, then its causes, nearest first.</summary>
    public IReadOnlyList<ErrorCause> Chain => [Error.AsCause, .. Error.Causes];

    /// <summary>The child's error record.</summary>
    public ErrorRecord Error { get; }
}

/// <summary>
/// Thrown by <c>ctx.Gather</c> once every child has a value or an error, when some failed for good: lists every
/// failed child (<see cref="Failures"/>, also the inner exceptions), in the order they were gathered.
/// </summary>
public sealed class ChildrenFailedException : AggregateException
{
    /// <summary>Creates the error for the children that failed.</summary>
    public ChildrenFailedException(IReadOnlyList<ChildFailedException> failures)
        : base($"{failures?.Count} of the gathered children failed: {string.Join(", ", (failures ?? []).Select(f => f.TaskName + " " + f.CallHash))}", failures ?? [])
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentOutOfRangeException.ThrowIfZero(failures.Count);
        Failures = failures;
    }

    /// <summary>The children that failed, in the order they were gathered.</summary>
    public IReadOnlyList<ChildFailedException> Failures { get; }
}

/// <summary>
/// A workflow call the client waited for failed for good (<see cref="BrrrClient.WaitAsync{TArgs,TResult}"/>): carries its
/// error record and so the chain of causes.
/// </summary>
public sealed class CallFailedException : BrrrException
{
    /// <summary>Creates the error for the call whose error record is <paramref name="error"/>.</summary>
    public CallFailedException(ErrorRecord error)
        : base($"{error?.TaskName} ({error?.CallHash}) failed: {error?.ErrorType}: {error?.Message}")
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The call's error record.</summary>
    public ErrorRecord Error { get; }

    /// <summary>The chain: the call itself, then its causes, nearest first (the last one started it).</summary>
    public IReadOnlyList<ErrorCause> Chain => [Error.AsCause, .. Error.Causes];
}
