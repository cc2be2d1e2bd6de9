namespace Brrr;

/// <summary>Where a call stands (<see cref="BrrrClient.GetStatusAsync(string, CancellationToken)"/>).</summary>
public enum CallState
{
    /// <summary>Neither a value nor an error record is stored: not done yet (or never scheduled).</summary>
    Pending,

    /// <summary>The value is stored.</summary>
    Completed,

    /// <summary>The call failed for good: its error record is stored, and no value.</summary>
    Failed,

    /// <summary>
    /// The call's workflow root was cancelled. A read by call hash alone never answers it (a call has no root of its
    /// own); a status read that knows the root id does.
    /// </summary>
    Cancelled,
}

/// <summary>The status of a call: its <see cref="State"/>, with the value when completed or the error record when failed.</summary>
/// <param name="State">Where the call stands.</param>
/// <param name="Value">The value when <see cref="CallState.Completed"/>; default otherwise.</param>
/// <param name="Error">The error record (with the chain of causes) when <see cref="CallState.Failed"/>; <c>null</c> otherwise.</param>
public sealed record CallStatus<T>(CallState State, T? Value, ErrorRecord? Error)
{
    /// <summary>The pending status.</summary>
    public static CallStatus<T> Pending { get; } = new(CallState.Pending, default, null);

    /// <summary>The status of a call whose value is <paramref name="value"/>.</summary>
    public static CallStatus<T> Completed(T value) => new(CallState.Completed, value, null);

    /// <summary>The status of a call that failed with <paramref name="error"/>.</summary>
    public static CallStatus<T> Failed(ErrorRecord error) => new(CallState.Failed, default, error);
}
