using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Routing;
using Akka.Streams;
using Brrr.Akka.Actors;
using Brrr.Backends;
using Brrr.Tasks;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka;

/// <summary>
/// A running worker inside an ActorSystem: one consumer stream and one call-runner pool per topic, plus the
/// registrar and returner actors that apply store effects (unless they are applied inline: <see cref="BrrrSettings.Effects"/>), (on a queue that delays) a loop that moves the due
/// delayed messages of its topics into them every <c>brrr.delayed.poll-interval</c>, and one ticker per recurring
/// schedule of <see cref="BrrrSettings.Schedules"/> (every worker ticks every schedule; the cache lets one of them push
/// each tick). Start it with
/// <see cref="BrrrRuntime.StartWorker(BrrrBackends, IReadOnlyDictionary{string, TaskSet}, string?)"/> or Akka.Hosting's
/// <c>WithBrrr</c>; it stops with <see cref="StopAsync"/> or the system's CoordinatedShutdown.
/// </summary>
public sealed class BrrrWorker : IAsyncDisposable
{
    private readonly CancellationTokenSource _receiveStopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private readonly List<(TopicContext Context, TopicPipeline Pipeline, IReadOnlyList<IActorRef> Runners)> _topics = [];
    private readonly ILogger _log;
    private readonly Lazy<Task> _stopped;
    // Null when the effects are applied inline (brrr.effects).
    private readonly IActorRef? _registrars;
    private readonly IActorRef? _returners;
    private readonly IActorRef[] _schedules;
    private readonly Action<BrrrWorker> _onStopped;

    // Moves the due delayed messages of the served topics into them; ends once receiving stops.
    private readonly Task _delayedPoller;

    internal BrrrWorker(
        ActorSystem system, BrrrSettings settings, BrrrBackends backends, IReadOnlyDictionary<string, TaskSet> topics, string name,
        Func<string, ILogger> loggers, Action<BrrrWorker> stopped)
    {
        _onStopped = stopped;
        Settings = settings;
        Backends = backends;
        Name = name;
        _log = loggers(BrrrLog.WorkerCategory);
        var (callsLog, queueLog) = (loggers(BrrrLog.CallsCategory), loggers(BrrrLog.QueueCategory));
        var policies = settings.TaskPolicies();
        foreach (var task in topics.Values.SelectMany(t => t.Names.Select(t.Find)))
        {
            // A task's own options that, over brrr.tasks and brrr.task-defaults, are out of range fail the start, naming it.
            policies.For(task!);
            if (policies.RetentionOf(task!) is { } retention && !backends.Store.CanExpire)
            {
                throw new BrrrException(
                    $"Task '{task!.Name}' keeps its records for {retention} (brrr.tasks.\"{task.Name}\".retention, brrr.task-defaults.retention or its " +
                    $"TaskOptions.Retention), but the store {backends.Store.GetType().Name} cannot expire records: use a store that can " +
                    "(in-memory, Redis, DynamoDB), or set the retention to infinite.");
            }
        }

        Processor = new CallProcessor(
            new Memory(backends.Store, limits: settings.Limits), new Jobs(backends.Cache, backends.Queue, settings.SpawnLimit), backends.Codec,
            new BoundedCache<byte[]>(settings.ValueCacheSize), new BoundedCache<Call>(settings.ValueCacheSize),
            new BoundedCache<WaitingChildren>(settings.ValueCacheSize), new CancelledRoots(backends.Cache, settings.CancelCheckInterval))
        { Policies = policies, RecordsChildren = settings.ChildrenRecord ?? !InMemory(backends), RateLimits = RateLimitsOf(settings, backends, topics.Keys) };
        Failures = new FailurePolicy(policies, backends.Cache, settings.AttemptCountExpiry, settings.DeadLetterSuffix, settings.RetryBackoffMin);
        Client = backends.CreateClient(settings.SpawnLimit, settings.Limits);
        EffectsInline = settings.Effects == BrrrEffects.Inline || (settings.Effects == BrrrEffects.Auto && InMemory(backends));
        if (!EffectsInline)
        {
            var effects = EffectsActor.Props(Processor.ApplyEffectAsync).WithDispatcher(settings.Dispatcher);
            _registrars = system.ActorOf(effects.WithRouter(new ConsistentHashingPool(settings.Registrars)), $"brrr-{name}-registrars");
            _returners = system.ActorOf(effects.WithRouter(new ConsistentHashingPool(settings.Returners)), $"brrr-{name}-returners");
        }
        var materializer = system.Materializer(ActorMaterializerSettings.Create(system).WithDispatcher(settings.Dispatcher), $"brrr-{name}");
        foreach (var (topic, tasks) in topics)
        {
            var topicSettings = settings.ForTopic(topic);
            var consumer = backends.Queue.CreateConsumer(topic);
            var inFlight = new InFlight(topic);
            var context = new TopicContext(this, topic, CountingTask.Wrap(tasks, Statistics, topic), topicSettings, consumer,
                new Settlement(consumer, backends.Queue, settings, queueLog, inFlight), inFlight, callsLog);
            var actorTopic = Uri.EscapeDataString(topic).Replace("%", "~", StringComparison.Ordinal);
            var runners = Enumerable.Range(0, topicSettings.Parallelism)
                .Select(i => system.ActorOf(CallRunner.Props(context).WithDispatcher(settings.Dispatcher), $"brrr-{name}-runner-{actorTopic}-{i}"))
                .ToArray();
            var setup = new PipelineSetup(topic, topicSettings, settings, consumer, inFlight, _receiveStopping.Token);
            _topics.Add((context, TopicPipeline.Start(setup, runners, materializer, queueLog), runners));
            BrrrLog.TopicServed(_log, name, topic, string.Join(", ", tasks.Names), topicSettings.Parallelism);
        }

        Topics = topics.Keys.ToImmutableArray();
        _delayedPoller = DelayedPoller.Start(backends.Queue, Topics, settings, queueLog, _receiveStopping.Token);
        var schedulesLog = loggers(BrrrLog.SchedulesCategory);
        _schedules = settings.Schedules.Values
            .Select(schedule => system.ActorOf(
                ScheduleTicker.Props(
                        new ScheduleTicks(schedule, Client, name, settings.RetryBackoffMin, settings.RetryBackoffMax),
                        schedulesLog, name, settings.RetryBackoffMin, settings.RetryBackoffMax, _receiveStopping.Token)
                    .WithDispatcher(settings.Dispatcher),
                $"brrr-{name}-schedule-{schedule.Name.Replace(':', '~')}"))
            .ToArray();
        _stopped = new Lazy<Task>(StopCoreAsync);
    }

    /// <summary>
    /// The rate limits of the served topics and of every limited task, or none; a limit needs a cache that limits
    /// (<see cref="IRateLimiter"/>) and a queue that delays (a call over it waits there), else the start fails naming it.
    /// </summary>
    private static RateLimits? RateLimitsOf(BrrrSettings settings, BrrrBackends backends, IEnumerable<string> topics)
    {
        var topicLimits = topics
            .Where(topic => settings.ForTopic(topic).RateLimit is not null)
            .ToImmutableDictionary(topic => topic, topic => settings.ForTopic(topic).RateLimit!.Value, StringComparer.Ordinal);
        var key = topicLimits.Keys.Select(topic => $"brrr.topics.\"{topic}\".rate-limit (or brrr.topic-defaults.rate-limit)")
            .Concat(settings.TaskRateLimits.Keys.Select(task => $"brrr.tasks.\"{task}\".rate-limit"))
            .FirstOrDefault();
        if (key is null)
        {
            return null;
        }

        if (backends.Queue is not IDelayedQueue)
        {
            throw new ConfigurationException(
                $"{key} needs a queue that delays messages (IDelayedQueue: in-memory or Redis), since a call over the limit waits in the queue; {backends.Queue.GetType().Name} cannot. Remove the limit or use such a queue.");
        }

        if (backends.Cache is not IRateLimiter limiter)
        {
            throw new ConfigurationException(
                $"{key} needs a cache that keeps rate limits (IRateLimiter: in-memory or Redis); {backends.Cache.GetType().Name} does not. Remove the limit or use such a cache.");
        }

        return new RateLimits(limiter, topicLimits, settings.TaskRateLimits);
    }

    /// <summary>The worker's name (unique in its ActorSystem).</summary>
    public string Name { get; }

    /// <summary>The topics this worker serves.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>The settings it runs with.</summary>
    public BrrrSettings Settings { get; }

    /// <summary>The queue, store, cache and codec it uses.</summary>
    public BrrrBackends Backends { get; }

    /// <summary>A client on the same backends, to schedule and read.</summary>
    public BrrrClient Client { get; }

    /// <summary>Counters since start.</summary>
    public WorkerStatistics Statistics { get; } = new();

    /// <summary>Messages received and not yet settled, all topics.</summary>
    public int InFlightCount => _topics.Sum(t => t.Context.InFlight.Count);

    /// <summary>
    /// The state of each topic stream now, in <see cref="Topics"/> order: whether it runs, whether it died (ended while
    /// the worker was not stopping), and how long its queue has kept it waiting (see <see cref="TopicStreamState"/>).
    /// Cheap, no I/O: a health check may call it on every probe.
    /// </summary>
    public IReadOnlyList<TopicStreamState> GetTopicStreams()
    {
        var stopping = _receiveStopping.IsCancellationRequested;
        return _topics.Select(t => t.Pipeline.State(stopping)).ToArray();
    }

    internal CallProcessor Processor { get; }

    /// <summary>What happens to the messages of failed calls (it counts the runs of those whose task threw in the shared cache).</summary>
    internal FailurePolicy Failures { get; }

    internal CancellationToken Aborting => _aborting.Token;

    /// <summary>
    /// Stops gracefully: stops receiving, lets in-flight calls finish for up to <c>brrr.shutdown-timeout</c>, then
    /// cancels what still runs and gives its messages back to the queue. Idempotent.
    /// </summary>
    public Task StopAsync() => _stopped.Value;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopCoreAsync()
    {
        BrrrLog.WorkerStopping(_log, Name, InFlightCount, Settings.ShutdownTimeout);
        await _receiveStopping.CancelAsync().ConfigureAwait(false);
        foreach (var schedule in _schedules)
        {
            schedule.Tell(PoisonPill.Instance);
        }

        foreach (var topic in _topics)
        {
            topic.Pipeline.StopReceiving();
        }

        await _delayedPoller.ConfigureAwait(false);
        var drained = Task.WhenAll(_topics.Select(t => t.Pipeline.Completion));
        if (await Task.WhenAny(drained, Task.Delay(Settings.ShutdownTimeout)).ConfigureAwait(false) != drained)
        {
            BrrrLog.CallsCancelledOnShutdown(_log, Name, InFlightCount, Settings.ShutdownTimeout);
        }

        await _aborting.CancelAsync().ConfigureAwait(false);
        foreach (var (context, pipeline, runners) in _topics)
        {
            // A message that arrived after receiving stopped is held like any other and given back below.
            await pipeline.Receiving.ConfigureAwait(false);
            foreach (var (delivery, received) in context.InFlight.Held)
            {
                BrrrLog.MessageGivenBackUnfinished(_log, Name, LogText.Excerpt(delivery.Message), context.Topic);
                try
                {
                    await context.Consumer.ReleaseAsync(delivery).ConfigureAwait(false);
                    context.InFlight.Settled(delivery);
                    Statistics.Handled(context.Topic, HandledAs.Released, received);
                }
                catch (Exception e)
                {
                    BrrrLog.ShutdownGiveBackFailed(_log, e, Name, LogText.Excerpt(delivery.Message), context.Topic);
                }
            }

            await context.Consumer.DisposeAsync().ConfigureAwait(false);
            foreach (var runner in runners)
            {
                runner.Tell(PoisonPill.Instance);
            }
        }

        _registrars?.Tell(PoisonPill.Instance);
        _returners?.Tell(PoisonPill.Instance);
        _onStopped(this);
        BrrrLog.WorkerStopped(_log, Name);
    }

    /// <summary>Whether the store, the cache and the queue are the in-memory ones: requests complete at once, and one process holds them.</summary>
    private static bool InMemory(BrrrBackends backends) => backends is { Store: InMemoryStore, Cache: InMemoryCache, Queue: InMemoryQueue };

    /// <summary>Whether this worker applies store effects in the call's runner rather than through the effect actors (<see cref="BrrrSettings.Effects"/>).</summary>
    internal bool EffectsInline { get; }

    /// <summary><see cref="ApplyEffectAsync"/> as a delegate, made once (a call hands it to the processor).</summary>
    internal Func<StoreEffect, CancellationToken, Task> ApplyEffect => field ??= ApplyEffectAsync;

    /// <summary>
    /// Has <paramref name="effect"/> applied by the registrar or returner of its key (the effects on one call hash run
    /// one at a time), or at once when the effects are inline; <paramref name="cancellation"/>, the call's timeout,
    /// covers the wait and the store calls.
    /// </summary>
    internal Task ApplyEffectAsync(StoreEffect effect, CancellationToken cancellation)
    {
        if (_registrars is null || _returners is null)
        {
            if (cancellation.IsCancellationRequested)
            {
                // As the effect actors do: an effect whose call timed out is not applied.
                return Task.FromCanceled(cancellation);
            }

            // Inline, effects on one call hash may run at once: the store algorithms are safe under concurrency, the actors only save conflicts.
            return Processor.ApplyEffectAsync(effect, cancellation).WaitAsync(cancellation);
        }

        var work = EffectWork.Of(effect, cancellation);
        (effect is RegisterChild ? _registrars : _returners).Tell(work);
        return work.Done.Task.WaitAsync(cancellation);
    }
}
