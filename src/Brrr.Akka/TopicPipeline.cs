using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using Brrr.Akka.Actors;
using Brrr.Backends;

namespace Brrr.Akka;

/// <summary>
/// The consumer stream of one topic: receives a message only when a runner slot (or the small prefetch buffer)
/// is free, and releases a slot only when the call's store effects are done and its message is settled.
/// Pulled-but-unsettled messages never exceed parallelism + prefetch.
/// </summary>
internal sealed class TopicPipeline
{
    private readonly TopicContext _topic;
    private readonly ILoggingAdapter _log;
    private readonly UniqueKillSwitch _killSwitch;

    // One runner per slot: the stream never has more calls in flight than runners, so one is always idle.
    private readonly ConcurrentQueue<IActorRef> _idle;

    private TopicPipeline(TopicContext topic, IReadOnlyList<IActorRef> runners, IMaterializer materializer, ILoggingAdapter log)
    {
        _topic = topic;
        _log = log;
        _idle = new ConcurrentQueue<IActorRef>(runners);
        var settings = topic.Settings;
        // A receive takes what waits, up to the free room (parallelism + prefetch - held): one round trip for a backlog.
        var capacity = settings.Parallelism + settings.Prefetch;
        var received = Source.UnfoldAsync<int, IReadOnlyList<QueueDelivery>>(0, async _ =>
        {
            var receiving = ReceiveAsync(Math.Max(1, capacity - _topic.InFlight.Count));
            Receiving = receiving;
            var deliveries = await receiving.ConfigureAwait(false);
            return deliveries.Count == 0
                ? Option<(int, IReadOnlyList<QueueDelivery>)>.None
                : Option<(int, IReadOnlyList<QueueDelivery>)>.Create((0, deliveries));
        }).SelectMany(deliveries => deliveries);
        if (settings.Prefetch > 0)
        {
            received = received.Buffer(settings.Prefetch, OverflowStrategy.Backpressure);
        }

        var (killSwitch, completion) = received
            .ViaMaterialized(KillSwitches.Single<QueueDelivery>(), Keep.Right)
            .SelectAsyncUnordered(settings.Parallelism, RunAsync)
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(materializer);
        _killSwitch = killSwitch;
        Completion = completion;
    }

    /// <summary>Completes when the stream has stopped and every call it started is done.</summary>
    public Task Completion { get; }

    /// <summary>The receive under way (or the last one): the consumer must not be disposed before it ends.</summary>
    public Task Receiving { get; private set; } = Task.CompletedTask;

    public static TopicPipeline Start(TopicContext topic, IReadOnlyList<IActorRef> runners, IMaterializer materializer, ILoggingAdapter log) =>
        new(topic, runners, materializer, log);

    /// <summary>Stops receiving; calls already running go on to completion.</summary>
    public void StopReceiving() => _killSwitch.Shutdown();

    private async Task<IReadOnlyList<QueueDelivery>> ReceiveAsync(int max)
    {
        var worker = _topic.Worker;
        var wait = worker.Settings.RetryBackoffMin;
        while (!worker.ReceiveStopping.IsCancellationRequested)
        {
            try
            {
                var deliveries = await _topic.Consumer.ReceiveManyAsync(max, worker.Settings.PollTimeout, worker.ReceiveStopping).ConfigureAwait(false);
                if (deliveries.Count > 0)
                {
                    foreach (var delivery in deliveries)
                    {
                        _topic.InFlight.Received(delivery);
                    }

                    return deliveries;
                }

                wait = worker.Settings.RetryBackoffMin;
            }
            catch (OperationCanceledException) when (worker.ReceiveStopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _log.Warning("brrr: receiving from topic {0} failed ({1}: {2}); retrying in {3}", _topic.Topic, e.GetType().Name, e.Message, wait);
                try
                {
                    await Task.Delay(wait, worker.ReceiveStopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                wait = Backoff.Next(wait, worker.Settings.RetryBackoffMax);
            }
        }

        return [];
    }

    private async Task<NotUsed> RunAsync(QueueDelivery delivery)
    {
        if (!_idle.TryDequeue(out var runner))
        {
            throw new InvalidOperationException($"brrr: no idle runner on topic {_topic.Topic}: more calls in flight than runners.");
        }

        try
        {
            var handled = new TaskCompletionSource();
            runner.Tell(new RunCall(delivery, handled));
            await handled.Task.ConfigureAwait(false);
        }
        finally
        {
            _idle.Enqueue(runner);
        }

        return NotUsed.Instance;
    }
}
