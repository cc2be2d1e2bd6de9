using System.Diagnostics;
using Akka.Actor;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;
using Microsoft.Extensions.Logging;
using EventStream = Akka.Event.EventStream;

namespace Brrr.Akka.Actors;

/// <summary>
/// One runner of a topic's pool: loads the call of a message, runs it and has its store effects applied by the
/// registrars or the returner (<see cref="CallProcessor.ExecuteAsync"/>, under <c>brrr.call-timeout</c>), and settles
/// the message only once those are done. Failures are contained: they are logged with call hash, task and topic,
/// published as <see cref="CallFailed"/>, and the message is released back to the queue (after its backoff, which waits in
/// the queue when the queue can delay: see <see cref="ReleaseAfterAsync"/>) or, for good, dead-lettered as
/// the worker's <see cref="FailurePolicy"/> decides; a call that fails for good also gets its error record, which wakes
/// its waiting parents (<see cref="StoreErrorAsync"/>). If that handling fails too, the message is still given back.
/// </summary>
internal sealed partial class CallRunner : ReceiveActor
{
    private readonly TopicContext _topic;

    // Captured here: continuations run off the actor's context (ConfigureAwait(false)).
    private readonly EventStream _events = Context.System.EventStream;

    public CallRunner(TopicContext topic)
    {
        _topic = topic;
        // The call runs off the actor's context (it touches no actor state): the pipeline hands a runner one
        // call at a time, and with synchronous backends the whole call completes inside this receive.
        Receive<RunCall>(m => _ = RunAsync(m));
    }

    public static Props Props(TopicContext topic) => global::Akka.Actor.Props.Create<CallRunner>(topic);

    private async Task RunAsync(RunCall run)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await HandleAsync(run.Delivery, started).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            BrrrLog.FailureHandlingFailed(_topic.Log, e, LogText.Excerpt(run.Delivery.Message), run.Delivery.Topic);
            await GiveBackAsync(run.Delivery, started).ConfigureAwait(false);
        }
        finally
        {
            run.Handled.TrySetResult();
        }
    }

    private async Task HandleAsync(QueueDelivery delivery, long started)
    {
        var worker = _topic.Worker;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(worker.Aborting);
        timeout.CancelAfter(worker.Settings.CallTimeout);
        var parent = BrrrDiagnostics.Source.HasListeners() ? await TraceParentAsync(delivery, timeout.Token).ConfigureAwait(false) : default;
        using var activity = BrrrDiagnostics.Source.StartActivity("brrr.call", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.destination.name", delivery.Topic);
        LoadedCall? loaded = null;
        HandledAs? handled;
        try
        {
            loaded = await worker.Processor.LoadAsync(delivery, timeout.Token).ConfigureAwait(false);
            activity?.SetTag("brrr.task", loaded.Call.TaskName).SetTag("brrr.call_hash", loaded.Call.CallHash).SetTag("brrr.root_id", loaded.Message.RootId);
            var outcome = await worker.Processor.ExecuteAsync(loaded, _topic.Tasks, worker.ApplyEffect, timeout.Token).ConfigureAwait(false);
            if (outcome is CallThrottled throttled)
            {
                await ThrottleAsync(delivery, throttled.Wait).ConfigureAwait(false);
            }
            else
            {
                await _topic.Settlement.AckAsync(delivery, worker.Aborting).ConfigureAwait(false);
            }

            handled = HandledAsNames.Of(outcome);
        }
        catch (Exception e)
        {
            var error = e is OperationCanceledException && timeout.IsCancellationRequested && !worker.Aborting.IsCancellationRequested
                ? new TimeoutException($"The call took longer than brrr.call-timeout ({worker.Settings.CallTimeout}), store effects included.", e)
                : e;
            handled = await FailAsync(delivery, loaded, error).ConfigureAwait(false);
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.AddException(error);
        }

        if (handled is { } settled)
        {
            activity?.SetTag("brrr.outcome", settled.Tag());
            worker.Statistics.Handled(delivery.Topic, settled, started);
        }
    }

    /// <summary>
    /// Releases or dead-letters the message of a failed call as the policy decides; returns how it ended, or
    /// <c>null</c> when the worker is stopping and leaves the message to the shutdown's release.
    /// </summary>
    private async Task<HandledAs?> FailAsync(QueueDelivery delivery, LoadedCall? loaded, Exception error)
    {
        var worker = _topic.Worker;
        // A message over the size limit is never decoded (nor copied into a log line or a dead letter whole).
        var decoded = loaded?.Message ?? (error is SizeLimitException ? null : ScheduleMessage.TryFromWire(delivery.Message));
        var (rootId, callHash) = (decoded?.RootId, decoded?.CallHash);
        var taskName = loaded?.Call.TaskName ?? (error as TaskNotFoundException)?.TaskName;
        var decision = await worker.Failures.DecideAsync(delivery, error, worker.Aborting).ConfigureAwait(false);
        if (!decision.Permanent)
        {
            // An outage fails every call in flight: one line per kind of failure and backoff step, the rest at debug level.
            var level = _topic.LogThrottle.ShouldLog(LogThrottle.KindOf(taskName ?? "?", error), out var count) ? LogLevel.Warning : LogLevel.Debug;
            BrrrLog.CallFailedForNow(_topic.Log, level, callHash ?? "?", taskName ?? "?", delivery.Topic, rootId ?? "?", decision.Attempt, HandledAs.Released.Tag(),
                LogThrottle.Times(count), error.GetType().Name, error.Message);
        }

        try
        {
            if (decision.Permanent)
            {
                // Logged once the error record is settled: a call that failed for good before (or in another run at the
                // same time) has its dead letter already.
                var recordedBefore = await StoreErrorAsync(decoded, taskName, error, decision.Attempt).ConfigureAwait(false);
                var outcome = recordedBefore ? "already failed" : decision.DeadLetterTopic is null ? "dropped" : "dead-lettered";
                BrrrLog.CallFailedForGood(_topic.Log, error, callHash ?? "?", taskName ?? "?", delivery.Topic, rootId ?? "?", decision.Attempt, outcome,
                    decision.DeadLetterTopic ?? "none", error.Message, LogText.Excerpt(delivery.Message));
                if (decision.DeadLetterTopic is { } deadLetterTopic && !recordedBefore)
                {
                    var letter = DeadLetter.Of(delivery.Topic, delivery.Message, error, rootId, callHash, taskName, decision.Attempt, worker.Processor.Memory.Limits);
                    await _topic.Settlement.DeadLetterAsync(delivery, letter, deadLetterTopic, worker.Aborting).ConfigureAwait(false);
                }

                await _topic.Settlement.AckAsync(delivery, worker.Aborting).ConfigureAwait(false);
                return HandledAs.Failed;
            }

            await ReleaseAfterAsync(delivery, decision.RetryAfter).ConfigureAwait(false);
            return HandledAs.Released;
        }
        catch (OperationCanceledException) when (worker.Aborting.IsCancellationRequested)
        {
            BrrrLog.MessageLeftForShutdown(_topic.Log, LogText.Excerpt(delivery.Message), delivery.Topic);
            return null;
        }
        finally
        {
            _events.Publish(new CallFailed(delivery.Topic, delivery.Message, rootId, callHash, taskName, error, !decision.Permanent, decision.Attempt, decision.DeadLetterTopic));
        }
    }

    /// <summary>Gives the message back after the longest retry backoff, so that a message whose failure cannot be handled does not spin.</summary>
    private async Task GiveBackAsync(QueueDelivery delivery, long started)
    {
        var worker = _topic.Worker;
        try
        {
            await ReleaseAfterAsync(delivery, worker.Settings.RetryBackoffMax).ConfigureAwait(false);
            worker.Statistics.Handled(delivery.Topic, HandledAs.Released, started);
        }
        catch (OperationCanceledException) when (worker.Aborting.IsCancellationRequested)
        {
            BrrrLog.MessageLeftForShutdown(_topic.Log, LogText.Excerpt(delivery.Message), delivery.Topic);
        }
        catch (Exception e)
        {
            BrrrLog.GiveBackFailed(_topic.Log, e, LogText.Excerpt(delivery.Message), delivery.Topic);
        }
    }

    /// <summary>
    /// Gives the message of a call put off by a rate limit back until its reserved start, always through the queue however
    /// short the wait, so that it holds no runner slot (the worker's start checked that the queue delays; a consumer that
    /// cannot, such as a wrapper's, waits here instead).
    /// </summary>
    private async Task ThrottleAsync(QueueDelivery delivery, TimeSpan wait)
    {
        var worker = _topic.Worker;
        if (_topic.Settlement.CanReleaseLater)
        {
            await _topic.Settlement.ReleaseLaterAsync(delivery, DateTimeOffset.UtcNow + wait, worker.Aborting).ConfigureAwait(false);
            return;
        }

        await Task.Delay(wait, worker.Aborting).ConfigureAwait(false);
        await _topic.Settlement.ReleaseAsync(delivery, worker.Aborting).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the message back to be delivered again after <paramref name="backoff"/>. On a queue that delays, a backoff of
    /// at least <c>brrr.delayed.poll-interval</c> waits in the queue (the message is acknowledged together with, or after,
    /// its delayed copy is written), so this runner's slot serves other calls meanwhile; a shorter one, or any backoff on
    /// a queue that cannot delay, is waited here before the release.
    /// </summary>
    private async Task ReleaseAfterAsync(QueueDelivery delivery, TimeSpan backoff)
    {
        var worker = _topic.Worker;
        if (_topic.Settlement.CanReleaseLater && backoff >= worker.Settings.DelayedPollInterval)
        {
            await _topic.Settlement.ReleaseLaterAsync(delivery, DateTimeOffset.UtcNow + backoff, worker.Aborting).ConfigureAwait(false);
            return;
        }

        await Task.Delay(backoff, worker.Aborting).ConfigureAwait(false);
        await _topic.Settlement.ReleaseAsync(delivery, worker.Aborting).ConfigureAwait(false);
    }

    /// <summary>
    /// The schedule the call continues in its trace (<see cref="RootTraces"/>), or none: tracing is best effort, so a
    /// failed read of the record is logged at debug level and the call is traced on its own (a cache that fails here
    /// fails the call's own steps too, which report it).
    /// </summary>
    private async Task<ActivityContext> TraceParentAsync(QueueDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            return await _topic.Worker.Processor.Traces.ParentOfAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            BrrrLog.TraceContextUnread(_topic.Log, LogText.Excerpt(delivery.Message), delivery.Topic, e.Message);
            return default;
        }
    }
}
