using Brrr.Backends;

namespace Brrr.Akka;

/// <summary>
/// The fleet-side steps of one recurring schedule, without an actor: claim a tick in the shared cache and push its root,
/// and find the ticks the fleet missed from the schedule's last claimed tick. Nothing here is remembered by the worker:
/// what the fleet needs lives in the cache. Thread safe.
/// </summary>
internal sealed class ScheduleTicks(ScheduleSettings schedule, BrrrClient client, string worker, TimeSpan backoffMin, TimeSpan backoffMax)
{
    public ScheduleSettings Schedule { get; } = schedule;

    /// <summary>
    /// Claims <paramref name="tick"/> and, when this worker won it, pushes its root; <c>null</c> when another worker
    /// claimed it (or a later tick). A push that fails after the claim is retried with backoff until it succeeds or
    /// <paramref name="stopping"/> is cancelled: the claim is this worker's alone, and the tick's root and call are the
    /// same on every try, so a retry cannot push a second root.
    /// </summary>
    public async Task<ScheduleTicked?> ClaimAndPushAsync(DateTimeOffset tick, bool missed, Action<Exception, TimeSpan> pushFailed, CancellationToken stopping)
    {
        if (!await client.Cache.ClaimScheduleTickAsync(Schedule.Name, tick, Schedule.ClaimExpiry, stopping).ConfigureAwait(false))
        {
            return null;
        }

        var call = Schedule.CallOf(client.Codec, tick);
        var rootId = Schedule.RootIdOf(tick);
        var wait = backoffMin;
        while (true)
        {
            try
            {
                await client.ScheduleAsync(call, Schedule.Topic, rootId, CancellationToken.None).ConfigureAwait(false);
                return new ScheduleTicked(Schedule.Name, tick, Schedule.Topic, rootId, call.CallHash, worker, missed);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && e is not SizeLimitException)
            {
                pushFailed(e, wait);
                await Task.Delay(wait, stopping).ConfigureAwait(false);
                wait = Backoff.Next(wait, backoffMax);
            }
        }
    }

    /// <summary>
    /// The latest tick in (the schedule's last claimed tick, <paramref name="now"/>]: a tick no worker claimed; with the
    /// last claimed tick. <c>null</c> ticks when none was missed, or the schedule never ran (a new schedule starts now).
    /// </summary>
    public async Task<(DateTimeOffset? Last, DateTimeOffset? Missed)> MissedAsync(DateTimeOffset now, CancellationToken stopping)
    {
        var last = await client.Cache.GetScheduleLastTickAsync(Schedule.Name, stopping).ConfigureAwait(false);
        return (last, last is { } l ? Schedule.LatestTick(l, now) : null);
    }
}
