using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// What an application does with a brrr fleet: schedule workflows, read their results and statuses, wait for them,
/// retry and cancel them. <see cref="BrrrClient"/> implements it on a store, cache and queue; the one registered in
/// DI (<c>services.AddBrrrClient(...)</c>) is this interface, so that code taking it can be tested with any
/// implementation. Thread safe.
/// </summary>
public interface IBrrrClient
{
    /// <summary>
    /// Schedules <paramref name="task"/>(<paramref name="args"/>) as a new workflow root on <paramref name="topic"/>
    /// (default: the task's topic). Does nothing when its value is already stored. Returns the call.
    /// </summary>
    /// <exception cref="ArgumentException">Neither <paramref name="topic"/> nor the task names a topic.</exception>
    Task<Call> ScheduleAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules <paramref name="task"/>(<paramref name="args"/>) as a new workflow root, on the topic and not before the
    /// time <paramref name="options"/> name (a delayed call). Does nothing when its value is already stored. Returns the call.
    /// </summary>
    /// <exception cref="ArgumentException">No topic, or both a due time and a delay are set.</exception>
    /// <exception cref="NotSupportedException">A delay was asked for and the queue cannot hold messages back.</exception>
    Task<Call> ScheduleAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, ScheduleOptions options, CancellationToken cancellationToken = default);

    /// <summary>The stored result of <paramref name="task"/>(<paramref name="args"/>), or not found when not computed (yet).</summary>
    Task<ReadResult<TResult>> ReadAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, CancellationToken cancellationToken = default);

    /// <summary>The status of <paramref name="task"/>(<paramref name="args"/>): completed with its value, failed with its error record, or pending.</summary>
    Task<CallStatus<TResult>> GetStatusAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, CancellationToken cancellationToken = default);

    /// <summary>Waits for <paramref name="task"/>(<paramref name="args"/>) and returns its value.</summary>
    /// <exception cref="CallFailedException">The call failed for good; carries its error record and chain.</exception>
    /// <exception cref="TimeoutException">Neither a value nor an error record within <paramref name="timeout"/>.</exception>
    Task<TResult> WaitAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retries the failed workflow <paramref name="task"/>(<paramref name="args"/>) as a new root on
    /// <paramref name="topic"/> (default: the task's topic), reusing the values stored before the failure. Returns the
    /// new root id, or <c>null</c> when the value is stored (nothing to retry).
    /// </summary>
    Task<string?> RetryAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null, CancellationToken cancellationToken = default);

    /// <summary>Cancels the workflow root <paramref name="rootId"/> (idempotent).</summary>
    Task CancelAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>Whether the workflow root <paramref name="rootId"/> is cancelled and its mark has not expired.</summary>
    Task<bool> IsCancelledAsync(string rootId, CancellationToken cancellationToken = default);
}
