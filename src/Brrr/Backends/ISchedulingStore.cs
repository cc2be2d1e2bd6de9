namespace Brrr.Backends;

/// <summary>
/// A store that can schedule a call in one step when it lives on the same server as the cache of the spawn counters
/// and the queue (Redis without cluster: one script). The step is what a registration that finds no
/// <c>pending_returns</c> record does in three (PROTOCOL.md §5): write the record holding the first return address,
/// write the call's <c>call</c> record, then put-job (count the job against its root, push it unless over the spawn
/// limit). Done at once, no crash can leave a registration whose job was never pushed. It also sends a completed
/// call's returns (one job per parent) together with the compare-and-delete of the record they were read from, and,
/// when the worker knows the record it expects (the one return it registered), with the write of the value too. The
/// runtime uses it whenever <see cref="CanScheduleWith"/> says yes: to schedule a child that is not delayed for a parent
/// message that is not redelivered, and to send the returns of a value. Thread safe.
/// </summary>
public interface ISchedulingStore
{
    /// <summary>Whether jobs counted by <paramref name="cache"/> and pushed to <paramref name="queue"/> can be scheduled together with this store's records.</summary>
    bool CanScheduleWith(ICache cache, IQueue queue);

    /// <summary>
    /// When <paramref name="key"/> holds nothing: writes <paramref name="value"/> there and <paramref name="companionValue"/>
    /// at <paramref name="companion"/>, increments the spawn counter of <paramref name="rootId"/> and, only if the new count
    /// is at most <paramref name="limit"/>, appends <paramref name="message"/> to <paramref name="topic"/>; all at once.
    /// Otherwise changes nothing.
    /// </summary>
    /// <returns>
    /// The bytes <paramref name="key"/> held (nothing was written), or else <c>null</c> and the new count (over
    /// <paramref name="limit"/>: the records were written, the message was not pushed).
    /// </returns>
    Task<(byte[]? Current, long Count)> SetNewAndPushAsync(
        MemKey key, byte[] value, MemKey companion, byte[] companionValue, string rootId, long limit, string topic, string message,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts each of <paramref name="jobs"/> against its root's spawn counter and appends its message to its topic
    /// only if the new count is at most <paramref name="limit"/>, then deletes <paramref name="key"/> if it still holds
    /// <paramref name="expected"/>; all at once.
    /// </summary>
    /// <returns>The new count of each job, in order (over <paramref name="limit"/>: not pushed), and whether the record was deleted.</returns>
    Task<(long[] Counts, bool Deleted)> PushThenDeleteIfAsync(
        IReadOnlyList<(string RootId, string Topic, string Message)> jobs, long limit, MemKey key, byte[] expected,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="valueKey"/>; then, only if <paramref name="returnsKey"/> holds
    /// exactly <paramref name="expected"/>, counts and pushes <paramref name="message"/> on <paramref name="topic"/> as
    /// <see cref="PushThenDeleteIfAsync"/> does and deletes <paramref name="returnsKey"/>; all at once.
    /// </summary>
    /// <returns>
    /// Whether the message was counted (and pushed unless over <paramref name="limit"/>: see the count) and the record
    /// deleted; else the bytes <paramref name="returnsKey"/> held (<c>null</c>: none), and only the value was written.
    /// </returns>
    Task<(bool Sent, byte[]? Current, long Count)> SetThenPushIfAsync(
        MemKey valueKey, byte[] value, MemKey returnsKey, byte[] expected, string rootId, long limit, string topic, string message,
        CancellationToken cancellationToken = default);
}
