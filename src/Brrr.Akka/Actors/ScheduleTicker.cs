using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka.Actors;

/// <summary>
/// Ticks one recurring schedule in one worker: a timer for the next tick of the cron expression, then a claim of the tick
/// in the shared cache and, when this worker won it, the push of its root. On start, and whenever it falls behind by a
/// whole tick or a step failed, it catches up: it reads the schedule's last claimed tick (the fleet's memory, not its
/// own) and applies <see cref="ScheduleSettings.MissedTicks"/> to the latest tick after it. Before each claim it pushes
/// the roots of ticks claimed longer than <see cref="ScheduleSettings.PushGrace"/> ago and never marked pushed (their
/// claimer died in between). It owns the tick it waits for; the claim and push run as tasks piped back to it.
/// </summary>
internal sealed class ScheduleTicker : ReceiveActor, IWithTimers
{
    private const string TimerKey = "tick";

    private readonly ScheduleTicks _ticks;
    private readonly ILogger _log;
    private readonly string _worker;
    private readonly TimeSpan _backoffMin;
    private readonly TimeSpan _backoffMax;
    private readonly CancellationToken _stopping;
    private TimeSpan _backoff;

    public ScheduleTicker(ScheduleTicks ticks, ILogger log, string worker, TimeSpan backoffMin, TimeSpan backoffMax, CancellationToken stopping)
    {
        (_ticks, _log, _worker, _backoffMin, _backoffMax, _stopping) = (ticks, log, worker, backoffMin, backoffMax, stopping);
        _backoff = backoffMin;
        Receive<CatchUp>(_ => StartCatchUp());
        Receive<CaughtUp>(OnCaughtUp);
        Receive<Due>(OnDue);
        Receive<TickDone>(done =>
        {
            _backoff = _backoffMin;
            foreach (var recovered in done.Ticked.Recovered)
            {
                BrrrLog.ScheduleTickRecovered(_log, _worker, ScheduleSettings.TickText(recovered.Tick), Schedule.Name, recovered.RootId, Schedule.Topic);
                Context.System.EventStream.Publish(recovered);
            }

            Done(done.Ticked.Claimed, done.Tick);
        });
        Receive<StepFailed>(OnFailed);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private ScheduleSettings Schedule => _ticks.Schedule;

    public static Props Props(ScheduleTicks ticks, ILogger log, string worker, TimeSpan backoffMin, TimeSpan backoffMax, CancellationToken stopping) =>
        global::Akka.Actor.Props.Create(() => new ScheduleTicker(ticks, log, worker, backoffMin, backoffMax, stopping));

    protected override void PreStart()
    {
        var next = Schedule.NextTick(DateTimeOffset.UtcNow);
        BrrrLog.ScheduleTicking(_log, _worker, Schedule.Name, Schedule.Cron, Schedule.TimeZone.Id, Schedule.Task, Schedule.Topic, next is { } n ? ScheduleSettings.TickText(n) : "none");
        Self.Tell(CatchUp.Instance);
    }

    private void StartCatchUp()
    {
        var now = DateTimeOffset.UtcNow;
        CatchUpAsync(now).PipeTo(Self, success: ticked => new CaughtUp(now, ticked), failure: e => new StepFailed("catching up", e));
    }

    private async Task<ScheduleTicked?> CatchUpAsync(DateTimeOffset now)
    {
        var (last, missed) = await _ticks.MissedAsync(now, _stopping).ConfigureAwait(false);
        if (missed is not { } tick)
        {
            return null;
        }

        var runOnce = Schedule.MissedTicks == MissedTicks.RunOnce;
        var ticked = runOnce ? await _ticks.ClaimAndPushAsync(tick, missed: true, PushFailed, _stopping).ConfigureAwait(false) : null;
        if (!runOnce || ticked is not null)
        {
            BrrrLog.ScheduleTicksMissed(
                _log, Schedule.Name, ScheduleSettings.TickText(last!.Value), ScheduleSettings.TickText(tick), runOnce ? "run once now (run-once)" : "skipped (skip)");
        }

        return ticked;
    }

    private void OnCaughtUp(CaughtUp caughtUp)
    {
        _backoff = _backoffMin;
        Done(caughtUp.Ticked, caughtUp.Now);
    }

    private void OnDue(Due due)
    {
        var now = DateTimeOffset.UtcNow;
        if (now < due.Tick)
        {
            // The scheduler's wheel may fire a little early: wait out the rest.
            Timers.StartSingleTimer(TimerKey, due, due.Tick - now);
        }
        else if (Schedule.NextTick(due.Tick) is { } following && following <= now)
        {
            // Behind by a whole tick (a long pause): the ticks passed meanwhile are missed ones, for the policy.
            StartCatchUp();
        }
        else
        {
            TickAsync(due.Tick)
                .PipeTo(Self, success: ticked => new TickDone(due.Tick, ticked), failure: e => new StepFailed($"claiming tick {ScheduleSettings.TickText(due.Tick)}", e));
        }
    }

    /// <summary>Pushes the roots of earlier ticks whose claimer died before pushing them, then claims <paramref name="tick"/>.</summary>
    private async Task<TickResult> TickAsync(DateTimeOffset tick)
    {
        var recovered = await _ticks.RecoverAsync(PushFailed, _stopping).ConfigureAwait(false);
        return new TickResult(recovered, await _ticks.ClaimAndPushAsync(tick, missed: false, PushFailed, _stopping).ConfigureAwait(false));
    }

    /// <summary>Reports the tick this worker pushed, if any, and waits for the first tick after <paramref name="after"/>.</summary>
    private void Done(ScheduleTicked? ticked, DateTimeOffset after)
    {
        if (ticked is not null)
        {
            BrrrLog.ScheduleTickPushed(_log, _worker, ScheduleSettings.TickText(ticked.Tick), Schedule.Name, ticked.RootId, Schedule.Topic);
            Context.System.EventStream.Publish(ticked);
        }

        if (Schedule.NextTick(after) is not { } next)
        {
            BrrrLog.ScheduleEnded(_log, Schedule.Name, Schedule.Cron, ScheduleSettings.TickText(after));
            Context.Stop(Self);
            return;
        }

        var wait = next - DateTimeOffset.UtcNow;
        Timers.StartSingleTimer(TimerKey, new Due(next), wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    private void OnFailed(StepFailed failed)
    {
        var error = failed.Error is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerException! : failed.Error;
        if (error is NotSupportedException)
        {
            BrrrLog.ScheduleUnsupported(_log, Schedule.Name, error.Message);
            Context.Stop(Self);
            return;
        }

        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // The ticks that pass meanwhile are missed ones: the catch-up applies the policy to them.
        BrrrLog.ScheduleStepFailed(_log, Schedule.Name, failed.Step, error.GetType().Name, error.Message, _backoff);
        Timers.StartSingleTimer(TimerKey, CatchUp.Instance, _backoff);
        _backoff = Backoff.Next(_backoff, _backoffMax);
    }

    private void PushFailed(Exception error, TimeSpan wait) =>
        BrrrLog.ScheduleStepFailed(_log, Schedule.Name, "pushing a claimed tick's root", error.GetType().Name, error.Message, wait);

    private sealed record CatchUp
    {
        public static readonly CatchUp Instance = new();
    }

    private sealed record CaughtUp(DateTimeOffset Now, ScheduleTicked? Ticked);

    private sealed record Due(DateTimeOffset Tick);

    private sealed record TickDone(DateTimeOffset Tick, TickResult Ticked);

    private sealed record TickResult(IReadOnlyList<ScheduleTicked> Recovered, ScheduleTicked? Claimed);

    private sealed record StepFailed(string Step, Exception Error);
}
