namespace Brrr.Backends;

/// <summary>
/// A best-effort counter store (PROTOCOL.md §4): the spawn counters of roots, the failed runs of calls whose task
/// threw (so that a task's attempts are counted across the fleet), the marks of cancelled roots and the trace contexts
/// of roots' schedules, and the claimed ticks of recurring schedules (none of which any reference worker reads). Thread
/// safe.
/// </summary>
public interface ICache
{
    /// <summary>
    /// Increments the spawn counter of the root <paramref name="rootId"/> (missing counts as 0) and returns the new
    /// value. The backend names the counter: on Redis <c>brrr/count/&lt;root_id&gt;</c>, or <c>brrr_count/&lt;root_id&gt;</c>
    /// in the legacy layout, as the reference workers of that layout do.
    /// </summary>
    Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one more failed run of the call <paramref name="callHash"/> (missing counts as 0) and returns the runs so
    /// far. The count expires <paramref name="expiry"/> after it was created. A brrr-only key, distinct from the spawn
    /// counters (on Redis <c>&lt;prefix&gt;{&lt;call_hash&gt;}:attempts</c>); reference workers never read it.
    /// </summary>
    Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default);

    /// <summary>Forgets the failed runs of the call <paramref name="callHash"/> (once it failed for good, so that a retry starts again at 1).</summary>
    Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the root <paramref name="rootId"/> as cancelled (idempotent): workers then acknowledge its jobs without
    /// running them (<see cref="CancelledRoots"/>). The mark expires after the backend's cancel expiry (on Redis
    /// <c>brrr.redis.cancel-expiry</c>; in memory it lives as long as the cache).
    /// </summary>
    Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="rootId"/> is marked as cancelled (<see cref="CancelRootAsync"/>) and the mark has not expired.</summary>
    Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps <paramref name="traceContext"/> for the root <paramref name="rootId"/>, replacing any: the trace context of
    /// the root's schedule (the W3C <c>traceparent</c>, then a line feed and the <c>tracestate</c> when there is one), an
    /// opaque string of at most a few hundred characters to store as is. Written once per root by a client that schedules
    /// while an activity listener listens to <c>Brrr</c>, so that workers trace the root's calls in its schedule's trace.
    /// A brrr-only key (on Redis <c>&lt;prefix&gt;trace:&lt;root_id&gt;</c>, expiring with the spawn counter); reference
    /// workers never read it. The default implementation keeps nothing (calls are then traced on their own).
    /// </summary>
    Task SetRootTraceAsync(string rootId, string traceContext, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// The trace context kept for the root <paramref name="rootId"/> (<see cref="SetRootTraceAsync"/>), or <c>null</c>
    /// when there is none or it expired. The default implementation always answers <c>null</c>.
    /// </summary>
    Task<string?> GetRootTraceAsync(string rootId, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    /// <summary>
    /// Claims the tick <paramref name="tick"/> of the recurring schedule <paramref name="schedule"/> for the caller, at
    /// most once across the fleet: <c>true</c> when this caller claimed it (and must push the tick's root), <c>false</c>
    /// when the tick was claimed already or a later tick of the schedule was (a tick is never claimed after a later one).
    /// A claim is a set-if-absent of a key per schedule and tick that expires after <paramref name="expiry"/>, and it
    /// moves the schedule's last claimed tick (<see cref="GetScheduleLastTickAsync"/>) to <paramref name="tick"/>, both in
    /// one atomic step. Ticks are kept to the millisecond. Brrr-only keys (on Redis
    /// <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:tick:&lt;unix_ms&gt;</c> and <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:last</c>);
    /// reference workers never read them. An exception is an unknown outcome. The default implementation throws
    /// <see cref="NotSupportedException"/>: a cache without it cannot run recurring schedules.
    /// </summary>
    /// <exception cref="NotSupportedException">The cache cannot claim ticks.</exception>
    Task<bool> ClaimScheduleTickAsync(string schedule, DateTimeOffset tick, TimeSpan expiry, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException(
            $"{GetType().Name} cannot claim the ticks of recurring schedules (ICache.ClaimScheduleTickAsync): use the in-memory, Redis or DynamoDB cache, or implement it.");

    /// <summary>
    /// The last claimed tick of the recurring schedule <paramref name="schedule"/> (<see cref="ClaimScheduleTickAsync"/>),
    /// or <c>null</c> when none was claimed. The fleet's shared memory of a schedule: a worker that starts after an outage
    /// reads it to know which ticks were missed. The record does not expire. The default implementation always answers
    /// <c>null</c>.
    /// </summary>
    Task<DateTimeOffset?> GetScheduleLastTickAsync(string schedule, CancellationToken cancellationToken = default) =>
        Task.FromResult<DateTimeOffset?>(null);

    /// <summary>
    /// Records that the root of a claimed <paramref name="tick"/> of <paramref name="schedule"/> was pushed. A claim
    /// (<see cref="ClaimScheduleTickAsync"/>) also lists its tick as not yet pushed, with the time of the claim, and this
    /// takes it off that list (on Redis the sorted set <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:unpushed</c>), so that a
    /// tick whose claimer died before its push is found (<see cref="TakeUnpushedScheduleTicksAsync"/>). The default
    /// implementation throws <see cref="NotSupportedException"/>, as the claim's does.
    /// </summary>
    /// <exception cref="NotSupportedException">The cache cannot claim ticks.</exception>
    Task MarkScheduleTickPushedAsync(string schedule, DateTimeOffset tick, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} cannot keep the ticks of recurring schedules (ICache.MarkScheduleTickPushedAsync).");

    /// <summary>
    /// The claimed ticks of <paramref name="schedule"/> whose root was not marked pushed (<see cref="MarkScheduleTickPushedAsync"/>)
    /// for at least <paramref name="grace"/> since their claim, or since an earlier take: each is taken for this caller
    /// at once (its time is reset to now, so a concurrent or later caller takes it only after another grace), at most
    /// <paramref name="max"/> of them, earliest first. The caller pushes the tick's root and marks it pushed; if it dies
    /// first, the tick is taken again after the grace. The default implementation throws <see cref="NotSupportedException"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The cache cannot claim ticks.</exception>
    Task<IReadOnlyList<DateTimeOffset>> TakeUnpushedScheduleTicksAsync(string schedule, TimeSpan grace, int max, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} cannot keep the ticks of recurring schedules (ICache.TakeUnpushedScheduleTicksAsync).");
}
