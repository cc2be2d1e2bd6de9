namespace Brrr.Backends;

/// <summary>
/// A store that can schedule a call in one step when it lives on the same server as the cache of the spawn counters
/// and the queue (Redis without cluster: one script). The step is what a registration that finds no
/// <c>pending_returns</c> record does in three (PROTOCOL.md §5): write the record holding the first return address,
/// write the call's <c>call</c> record, then put-job (count the job against its root, push it unless over the spawn
/// limit). Done at once, no crash can leave a registration whose job was never pushed. The runtime uses it whenever
/// <see cref="CanScheduleWith"/> says yes, for a child that is not delayed and a parent message that is not redelivered.
/// Thread safe.
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
}
