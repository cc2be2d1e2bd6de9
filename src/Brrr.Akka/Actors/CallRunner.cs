using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Akka.Actors;

/// <summary>
/// One runner of a topic's pool: loads the call of a message, runs it, hands the outcome's store effects to the
/// registrars or the returner, and settles the message only once those are done. Failures are contained: they
/// are logged with call hash, task and topic, published as <see cref="CallFailed"/>, and the message is
/// released back to the queue after a backoff (a transient failure, or a task that threw fewer than
/// <c>brrr.task-attempts</c> times) or dead-lettered and acknowledged (a permanent failure).
/// </summary>
internal sealed class CallRunner : ReceiveActor
{
    private readonly TopicContext _topic;
    private readonly ILoggingAdapter _log = Context.GetLogger();

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
        try
        {
            await HandleAsync(run.Delivery).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Error(e, "brrr: handling message {0} on topic {1} failed unexpectedly; it stays held until shutdown or redelivery", LogText.Excerpt(run.Delivery.Message), run.Delivery.Topic);
        }
        finally
        {
            run.Handled.TrySetResult();
        }
    }

    private async Task HandleAsync(QueueDelivery delivery)
    {
        var worker = _topic.Worker;
        var started = Stopwatch.GetTimestamp();
        using var activity = BrrrDiagnostics.Source.StartActivity("brrr.call", ActivityKind.Consumer);
        activity?.SetTag("messaging.destination.name", delivery.Topic);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(worker.Aborting);
        timeout.CancelAfter(worker.Settings.CallTimeout);
        LoadedCall? loaded = null;
        try
        {
            loaded = await worker.Processor.LoadAsync(delivery, timeout.Token).ConfigureAwait(false);
            activity?.SetTag("brrr.task", loaded.Call.TaskName).SetTag("brrr.call_hash", loaded.Call.CallHash).SetTag("brrr.root_id", loaded.Message.RootId);
            var outcome = await worker.Processor.RunAsync(loaded, _topic.Tasks, timeout.Token).ConfigureAwait(false);
            var handled = await ApplyAsync(loaded, outcome).ConfigureAwait(false);
            await _topic.Settlement.AckAsync(delivery, worker.Aborting).ConfigureAwait(false);
            activity?.SetTag("brrr.outcome", handled);
            BrrrDiagnostics.Handled(delivery.Topic, handled, started);
        }
        catch (Exception e)
        {
            var handled = await FailAsync(delivery, loaded, e).ConfigureAwait(false);
            activity?.SetTag("brrr.outcome", handled).SetStatus(ActivityStatusCode.Error, e.Message);
            activity?.AddException(e);
            BrrrDiagnostics.Handled(delivery.Topic, handled, started);
        }
    }

    /// <summary>Applies the outcome's store effects; returns the outcome's name for <see cref="BrrrDiagnostics"/>.</summary>
    private async Task<string> ApplyAsync(LoadedCall loaded, CallOutcome outcome)
    {
        var worker = _topic.Worker;
        if (outcome is CallStillWaiting)
        {
            worker.Statistics.CountSkipped();
            return "skipped";
        }

        Task<Exception?>[] effects;
        if (outcome is CallDeferred deferred)
        {
            worker.Statistics.CountDeferred();
            effects = new Task<Exception?>[deferred.Children.Count];
            for (var i = 0; i < effects.Length; i++)
            {
                var done = new TaskCompletionSource<Exception?>();
                worker.Registrars.Tell(new RegisterChild(loaded, deferred.Children[i], done));
                effects[i] = done.Task;
            }
        }
        else
        {
            var completed = (CallCompleted)outcome;
            if (completed.AlreadyStored)
            {
                worker.Statistics.CountSkipped();
            }
            else
            {
                worker.Statistics.CountCompleted();
            }

            var done = new TaskCompletionSource<Exception?>();
            worker.Returners.Tell(new ReturnValue(loaded.Call.CallHash, completed, done));
            effects = [done.Task];
        }

        var errors = (await Task.WhenAll(effects).ConfigureAwait(false)).OfType<Exception>().ToArray();
        if (errors.Length > 0)
        {
            // A spawn-limit error is only reported once every other effect is known to be done.
            throw errors.FirstOrDefault(e => e is not SpawnLimitException) ?? errors[0];
        }

        if (outcome is CallDeferred waiting)
        {
            worker.Processor.RegisteredWaiting(loaded, waiting.Children);
            return "deferred";
        }

        return ((CallCompleted)outcome).AlreadyStored ? "skipped" : "completed";
    }

    /// <summary>Releases or dead-letters the message of a failed call; returns <c>released</c> or <c>failed</c>.</summary>
    private async Task<string> FailAsync(QueueDelivery delivery, LoadedCall? loaded, Exception error)
    {
        var worker = _topic.Worker;
        var settings = worker.Settings;
        // A message over the size limit is never decoded (nor copied into a log line or a dead letter whole).
        var decoded = loaded?.Message ?? (error is SizeLimitException ? null : TryDecode(delivery));
        var (rootId, callHash) = (decoded?.RootId, decoded?.CallHash);
        var taskName = loaded?.Call.TaskName ?? (error as TaskNotFoundException)?.TaskName;

        // A task that threw may succeed on a later run (a flaky dependency): it is retried up to task-attempts times.
        var attempt = error is TaskFailedException ? worker.Attempts.Failed(delivery.Message) : 1;
        var permanent = IsPermanent(error) && (error is not TaskFailedException || attempt >= settings.TaskAttempts);
        var deadLetterTopic = permanent && settings.DeadLetterSuffix.Length > 0 ? DeadLetter.TopicOf(delivery.Topic, settings.DeadLetterSuffix) : null;
        if (permanent)
        {
            worker.Statistics.CountFailed();
            var fate = deadLetterTopic is null ? "dropped" : "dead-lettered to " + deadLetterTopic;
            _log.Error(error, "brrr: call {0} of task {1} on topic {2} (root {3}) failed for good; its message is {4}: {5}",
                callHash ?? "?", taskName ?? "?", delivery.Topic, rootId ?? "?", fate, $"{error.Message} [message: {LogText.Excerpt(delivery.Message)}]");
        }
        else
        {
            worker.Statistics.CountReleased();
            _log.Warning("brrr: call {0} of task {1} on topic {2} (root {3}) failed (run {4}); its message goes back to the queue: {5}",
                callHash ?? "?", taskName ?? "?", delivery.Topic, rootId ?? "?", attempt, $"{error.GetType().Name}: {error.Message}");
        }

        try
        {
            if (permanent)
            {
                if (deadLetterTopic is not null)
                {
                    var letter = DeadLetter.Of(delivery.Topic, delivery.Message, error, rootId, callHash, taskName, attempt, worker.Processor.Memory.Limits);
                    await _topic.Settlement.DeadLetterAsync(delivery, letter, deadLetterTopic, worker.Aborting).ConfigureAwait(false);
                }

                await _topic.Settlement.AckAsync(delivery, worker.Aborting).ConfigureAwait(false);
            }
            else
            {
                await Task.Delay(Backoff.ForRetry(attempt, settings.RetryBackoffMin, settings.RetryBackoffMax), worker.Aborting).ConfigureAwait(false);
                await _topic.Settlement.ReleaseAsync(delivery, worker.Aborting).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            _log.Info("brrr: worker stopping; message {0} on topic {1} is left for the consumer's release", LogText.Excerpt(delivery.Message), delivery.Topic);
        }
        finally
        {
            _events.Publish(new CallFailed(delivery.Topic, delivery.Message, rootId, callHash, taskName, error, !permanent, attempt, deadLetterTopic));
        }

        return permanent ? "failed" : "released";
    }

    private static bool IsPermanent(Exception error) => error is ProtocolException or TaskNotFoundException or CallNotFoundException
        or SpawnLimitException or TaskFailedException or SizeLimitException;

    private static ScheduleMessage? TryDecode(QueueDelivery delivery)
    {
        try
        {
            return ScheduleMessage.FromWire(delivery.Message);
        }
        catch (ProtocolException)
        {
            return null;
        }
    }
}
