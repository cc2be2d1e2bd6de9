using System.Collections.Concurrent;
using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;
using Brrr.Akka.Actors;
using Brrr.Backends;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka;

/// <summary>
/// The consumer stream of one topic: receives a message only when a runner slot (or the small prefetch buffer)
/// is free, and releases a slot only when the call's store effects are done and its message is settled.
/// Pulled-but-unsettled messages never exceed parallelism + prefetch.
/// </summary>
internal sealed class TopicPipeline
{
    private readonly string _topic;
    private readonly BrrrSettings _settings;
    private readonly IQueueConsumer _consumer;
    private readonly InFlight _inFlight;
    private readonly CancellationToken _receiveStopping;
    private readonly ILogger _log;
    private readonly UniqueKillSwitch _killSwitch;

    // Stopwatch timestamp of the last receive that answered (or of the start of the receive under way); 0 while no receive runs.
    private long _lastAnswer;

    // One runner per slot: the stream never has more calls in flight than runners, so one is always idle.
    private readonly ConcurrentQueue<IActorRef> _idle;

    private TopicPipeline(PipelineSetup setup, IReadOnlyList<IActorRef> runners, IMaterializer materializer, ILogger log)
    {
        _topic = setup.Topic;
        _settings = setup.Brrr;
        _consumer = setup.Consumer;
        _inFlight = setup.InFlight;
        _receiveStopping = setup.ReceiveStopping;
        _log = log;
        _idle = new ConcurrentQueue<IActorRef>(runners);
        var settings = setup.Settings;
        // A receive takes what waits, up to the free room (parallelism + prefetch - held): one round trip for a backlog.
        var capacity = settings.Parallelism + settings.Prefetch;
        var received = Source.UnfoldAsync<int, IReadOnlyList<QueueDelivery>>(0, async _ =>
        {
            var receiving = ReceiveAsync(Math.Max(1, capacity - _inFlight.Count));
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

    /// <summary>
    /// Starts the stream of a topic: it receives until <see cref="PipelineSetup.ReceiveStopping"/> is cancelled (or
    /// <see cref="StopReceiving"/>), and hands each message to an idle one of <paramref name="runners"/> as a
    /// <see cref="RunCall"/> (one runner per slot of the topic's parallelism).
    /// </summary>
    public static TopicPipeline Start(PipelineSetup setup, IReadOnlyList<IActorRef> runners, IMaterializer materializer, ILogger log) =>
        new(setup, runners, materializer, log);

    /// <summary>Stops receiving; calls already running go on to completion.</summary>
    public void StopReceiving() => _killSwitch.Shutdown();

    /// <summary>What the stream looks like now (<see cref="BrrrWorker.GetTopicStreams"/>).</summary>
    public TopicStreamState State(bool stopping)
    {
        var since = Interlocked.Read(ref _lastAnswer);
        return new TopicStreamState(_topic, !Completion.IsCompleted && !stopping, Completion.IsCompleted && !stopping,
            since == 0 || Completion.IsCompleted ? null : Stopwatch.GetElapsedTime(since), _inFlight.Count);
    }

    private async Task<IReadOnlyList<QueueDelivery>> ReceiveAsync(int max)
    {
        var wait = _settings.RetryBackoffMin;
        Interlocked.Exchange(ref _lastAnswer, Stopwatch.GetTimestamp());
        try
        {
            return await ReceiveLoopAsync(max, wait).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _lastAnswer, 0);
        }
    }

    private async Task<IReadOnlyList<QueueDelivery>> ReceiveLoopAsync(int max, TimeSpan wait)
    {
        while (!_receiveStopping.IsCancellationRequested)
        {
            try
            {
                var deliveries = await _consumer.ReceiveManyAsync(max, _settings.PollTimeout, _receiveStopping).ConfigureAwait(false);
                Interlocked.Exchange(ref _lastAnswer, Stopwatch.GetTimestamp());
                if (deliveries.Count > 0)
                {
                    foreach (var delivery in deliveries)
                    {
                        _inFlight.Received(delivery);
                    }

                    return deliveries;
                }

                wait = _settings.RetryBackoffMin;
            }
            catch (OperationCanceledException) when (_receiveStopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                BrrrLog.ReceiveFailed(_log, _topic, e.GetType().Name, e.Message, wait);
                try
                {
                    await Task.Delay(wait, _receiveStopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                wait = Backoff.Next(wait, _settings.RetryBackoffMax);
            }
        }

        return [];
    }

    private async Task<NotUsed> RunAsync(QueueDelivery delivery)
    {
        if (!_idle.TryDequeue(out var runner))
        {
            throw new InvalidOperationException($"brrr: no idle runner on topic {_topic}: more calls in flight than runners.");
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

/// <summary>What a topic's stream reads from and holds.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Settings">Its parallelism and prefetch.</param>
/// <param name="Brrr">The poll timeout and the receive retry backoff.</param>
/// <param name="Consumer">The topic's queue consumer.</param>
/// <param name="InFlight">Where received messages are held until settled.</param>
/// <param name="ReceiveStopping">Stops receiving.</param>
internal sealed record PipelineSetup(
    string Topic, TopicSettings Settings, BrrrSettings Brrr, IQueueConsumer Consumer, InFlight InFlight, CancellationToken ReceiveStopping);
