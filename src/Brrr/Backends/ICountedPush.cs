namespace Brrr.Backends;

/// <summary>
/// A cache that can count a job against its root and push it in one step, when it lives on the same server as the
/// queue (Redis: one script instead of <c>INCR</c> then <c>RPUSH</c>, one round trip per job instead of two). The
/// counter and the message are exactly what put-job of PROTOCOL.md §5 writes. <see cref="Jobs"/> uses it whenever
/// <see cref="CanPushTo"/> says yes. Thread safe.
/// </summary>
public interface ICountedPush
{
    /// <summary>Whether <paramref name="queue"/>'s topics can be pushed to together with this cache's counters.</summary>
    bool CanPushTo(IQueue queue);

    /// <summary>
    /// Increments the spawn counter of <paramref name="rootId"/> and, only if the new count is at most
    /// <paramref name="limit"/>, appends <paramref name="message"/> to <paramref name="topic"/>; both at once.
    /// </summary>
    /// <returns>The new count (over <paramref name="limit"/>: nothing was pushed).</returns>
    Task<long> IncrAndPushAsync(string rootId, long limit, string topic, string message, CancellationToken cancellationToken = default);
}
