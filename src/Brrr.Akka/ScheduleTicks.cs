using Brrr.Backends;

namespace Brrr.Akka;

/// <summary>
/// The fleet-side steps of one recurring schedule, without an actor: claim a tick in the shared cache and push its root,
/// push the roots of ticks whose claimer died before pushing them, and find the ticks the fleet missed from the
/// schedule's last claimed tick. Nothing here is remembered by the worker:
/// what the fleet needs lives in the cache. Thread safe.
/// </summary>
internal sealed class ScheduleTicks(ScheduleSettings schedule, BrrrClient client, string worker, TimeSpan backoffMin, TimeSpan backoffMax)
{
    // The most unpushed ticks one recovery pushes; more wait for the next tick.
    private const int MaxRecovered = 16;

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

        return await PushAsync(tick, missed, pushFailed, stopping).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes the roots of claimed ticks whose claimer died before its push: the ticks listed unpushed for longer than
    /// <see cref="ScheduleSettings.PushGrace"/>, which the cache hands to one caller at a time. Returns what it pushed.
    /// </summary>
    public async Task<IReadOnlyList<ScheduleTicked>> RecoverAsync(Action<Exception, TimeSpan> pushFailed, CancellationToken stopping)
    {
        var pushed = new List<ScheduleTicked>();
        foreach (var tick in await client.Cache.TakeUnpushedScheduleTicksAsync(Schedule.Name, Schedule.PushGrace, MaxRecovered, stopping).ConfigureAwait(false))
        {
            pushed.Add(await PushAsync(tick, missed: true, pushFailed, stopping).ConfigureAwait(false));
        }

        return pushed;
    }

    // The root of a claimed tick, pushed until it succeeds (its root and call are the same on every try), then marked
    // pushed until that succeeds (an unmarked tick would be pushed again after the grace).
    private async Task<ScheduleTicked> PushAsync(DateTimeOffset tick, bool missed, Action<Exception, TimeSpan> pushFailed, CancellationToken stopping)
    {
        var call = Schedule.CallOf(client.Codec, tick);
        var rootId = Schedule.RootIdOf(tick);
        await UntilDoneAsync(() => client.ScheduleAsync(call, Schedule.Topic, rootId, CancellationToken.None), pushFailed, stopping).ConfigureAwait(false);
        await UntilDoneAsync(() => client.Cache.MarkScheduleTickPushedAsync(Schedule.Name, tick, CancellationToken.None), pushFailed, stopping).ConfigureAwait(false);
        return new ScheduleTicked(Schedule.Name, tick, Schedule.Topic, rootId, call.CallHash, worker, missed);
    }

    private async Task UntilDoneAsync(Func<Task> step, Action<Exception, TimeSpan> failed, CancellationToken stopping)
    {
        var wait = backoffMin;
        while (true)
        {
            try
            {
                await step().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && e is not SizeLimitException)
            {
                failed(e, wait);
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
