using Akka.Actor;
using Akka.Event;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Akka.Actors;

/// <summary>
/// One runner of a topic's pool: loads the call of a message, runs it, hands the outcome's store effects to the
/// registrars or the returner, and settles the message only once those are done. Failures are contained: they
/// are logged with call hash, task and topic, published as <see cref="CallFailed"/>, and the message is dropped
/// (permanent failure) or released back to the queue (transient failure).
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
            _log.Error(e, "brrr: handling message {0} on topic {1} failed unexpectedly; it stays held until shutdown or redelivery", run.Delivery.Message, run.Delivery.Topic);
        }
        finally
        {
            run.Handled.TrySetResult();
        }
    }

    private async Task HandleAsync(QueueDelivery delivery)
    {
        var worker = _topic.Worker;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(worker.Aborting);
        timeout.CancelAfter(worker.Settings.CallTimeout);
        LoadedCall? loaded = null;
        try
        {
            loaded = await worker.Processor.LoadAsync(delivery, timeout.Token).ConfigureAwait(false);
            var outcome = await worker.Processor.RunAsync(loaded, _topic.Tasks, timeout.Token).ConfigureAwait(false);
            await ApplyAsync(loaded, outcome).ConfigureAwait(false);
            await _topic.Settlement.AckAsync(delivery, worker.Aborting).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await FailAsync(delivery, loaded, e).ConfigureAwait(false);
        }
    }

    private async Task ApplyAsync(LoadedCall loaded, CallOutcome outcome)
    {
        var worker = _topic.Worker;
        if (outcome is CallStillWaiting)
        {
            worker.Statistics.CountSkipped();
            return;
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
        }
    }

    private async Task FailAsync(QueueDelivery delivery, LoadedCall? loaded, Exception error)
    {
        var worker = _topic.Worker;
        var permanent = IsPermanent(error);
        var rootId = loaded?.Message.RootId ?? TryDecode(delivery)?.RootId;
        var callHash = loaded?.Call.CallHash ?? TryDecode(delivery)?.CallHash;
        var taskName = loaded?.Call.TaskName ?? (error as TaskNotFoundException)?.TaskName;
        if (permanent)
        {
            worker.Statistics.CountFailed();
            _log.Error(error, "brrr: call {0} of task {1} on topic {2} (root {3}) failed and its message is dropped: {4} [message: {5}]",
                callHash ?? "?", taskName ?? "?", delivery.Topic, rootId ?? "?", error.Message, delivery.Message);
        }
        else
        {
            worker.Statistics.CountReleased();
            _log.Warning("brrr: call {0} of task {1} on topic {2} (root {3}) hit a transient failure; its message goes back to the queue: {4}: {5}",
                callHash ?? "?", taskName ?? "?", delivery.Topic, rootId ?? "?", error.GetType().Name, error.Message);
        }

        _events.Publish(new CallFailed(delivery.Topic, delivery.Message, rootId, callHash, taskName, error, !permanent));
        try
        {
            if (permanent)
            {
                await _topic.Settlement.AckAsync(delivery, worker.Aborting).ConfigureAwait(false);
            }
            else
            {
                await Task.Delay(worker.Settings.RetryBackoffMin, worker.Aborting).ConfigureAwait(false);
                await _topic.Settlement.ReleaseAsync(delivery, worker.Aborting).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            _log.Info("brrr: worker stopping; message {0} on topic {1} is left for the consumer's release", delivery.Message, delivery.Topic);
        }
    }

    private static bool IsPermanent(Exception error) => error is ProtocolException or TaskNotFoundException or CallNotFoundException
        or SpawnLimitException or TaskFailedException;

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
