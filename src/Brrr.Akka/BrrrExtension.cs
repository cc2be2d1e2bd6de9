using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Event;
using Brrr.Tasks;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka;

/// <summary>The ActorSystem extension id of brrr: <c>BrrrExtension.Get(system)</c>.</summary>
public sealed class BrrrExtension : ExtensionIdProvider<BrrrRuntime>
{
    /// <summary>The embedded <c>reference.conf</c>: the one source of brrr's defaults.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.FromResource<BrrrExtension>("Brrr.Akka.reference.conf");

    /// <summary>The brrr runtime of <paramref name="system"/>, created on first use.</summary>
    public static new BrrrRuntime Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<BrrrRuntime, BrrrExtension>();
    }

    /// <inheritdoc />
    public override BrrrRuntime CreateExtension(ExtendedActorSystem system) => new(system);
}

/// <summary>
/// The brrr runtime of one ActorSystem: its settings and the workers it runs. Workers stop with the system's
/// CoordinatedShutdown (phase service-unbind, whose timeout defaults to <see cref="BrrrSettings.ShutdownPhaseTimeout"/>
/// so that in-flight calls get their whole <c>brrr.shutdown-timeout</c>). Thread safe.
/// It logs through the <see cref="ILoggerFactory"/> of the system's services when it has them (Akka.Hosting gives
/// them, as does a <see cref="DependencyResolverSetup"/>), else through Akka's own logging.
/// </summary>
public sealed class BrrrRuntime : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ConcurrentDictionary<string, BrrrWorker> _workers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<BrrrWorker>> _started = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<BrrrWorker> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lazy<IActorRef> _workersActor;
    private int _counter;

    internal BrrrRuntime(ExtendedActorSystem system)
    {
        _system = system;
        _workersActor = new Lazy<IActorRef>(() => system.ActorOf(Props.Create(() => new Hosting.BrrrWorkersActor(this)), "brrr-workers"));
        _loggerFactory = system.Settings.Setup.Get<DependencyResolverSetup>().HasValue
            ? DependencyResolver.For(system).Resolver.GetService<ILoggerFactory>()
            : null;
        system.Settings.InjectTopLevelFallback(BrrrExtension.DefaultConfig);
        Settings = BrrrSettings.Create(system.Settings.Config);

        // A fallback: a timeout the application sets for the phase wins. CoordinatedShutdown reads its phases when it is
        // first used, so this holds unless something used it before brrr started (then the warning below says so).
        system.Settings.InjectTopLevelFallback(ConfigurationFactory.ParseString(
            $"akka.coordinated-shutdown.phases.{CoordinatedShutdown.PhaseServiceUnbind}.timeout = {(long)Settings.ShutdownPhaseTimeout.TotalMilliseconds}ms"));
        var shutdown = CoordinatedShutdown.Get(system);
        var phaseTimeout = shutdown.Timeout(CoordinatedShutdown.PhaseServiceUnbind);
        if (phaseTimeout < Settings.ShutdownTimeout)
        {
            BrrrLog.ShutdownPhaseTooShort(
                CreateLogger(BrrrLog.WorkerCategory), phaseTimeout, Settings.ShutdownTimeout, CoordinatedShutdown.PhaseServiceUnbind, (long)Settings.ShutdownPhaseTimeout.TotalMilliseconds);
        }

        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "brrr-stop-workers", async () =>
        {
            await Task.WhenAll(_workers.Values.Select(w => w.StopAsync())).ConfigureAwait(false);
            return Done.Instance;
        });
    }

    /// <summary>The settings read from the system's <c>brrr</c> section.</summary>
    public BrrrSettings Settings { get; }

    /// <summary>The workers started in this system and not stopped yet.</summary>
    public IReadOnlyCollection<BrrrWorker> Workers => _workers.Values.ToArray();

    /// <summary>Starts a worker serving each topic of <paramref name="topics"/> with its task set.</summary>
    /// <param name="backends">The queue, store, cache and codec.</param>
    /// <param name="topics">Topic name → the tasks served there.</param>
    /// <param name="name">A name unique in this system; default: <c>worker-N</c>.</param>
    public BrrrWorker StartWorker(BrrrBackends backends, IReadOnlyDictionary<string, TaskSet> topics, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Count == 0)
        {
            throw new ArgumentException("A worker needs at least one topic.", nameof(topics));
        }

        name ??= $"worker-{Interlocked.Increment(ref _counter)}";
        var worker = new BrrrWorker(_system, Settings, backends, topics, name, CreateLogger, Stopped);
        if (!_workers.TryAdd(name, worker))
        {
            _ = worker.StopAsync();
            throw new ArgumentException($"A worker named '{name}' already runs in this system.", nameof(name));
        }

        _first.TrySetResult(worker);
        if (!Started(name).TrySetResult(worker))
        {
            // A worker of this name ran before and stopped: its successor answers from now on.
            _started[name] = Completed(worker);
        }

        return worker;
    }

    /// <summary>
    /// The worker named <paramref name="name"/> (default: the first this system started) once it has started: at once
    /// when it runs, else when it starts. Hosts use it to reach a worker that <c>WithBrrr</c> starts with the system.
    /// </summary>
    /// <param name="name">The worker's name; null for the first worker started.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<BrrrWorker> WorkerAsync(string? name = null, CancellationToken cancellationToken = default) =>
        (name is null ? _first : Started(name)).Task.WaitAsync(cancellationToken);

    /// <summary>The actor that answers <see cref="Hosting.GetBrrrWorker"/> for this system, created on first use (<c>/user/brrr-workers</c>).</summary>
    internal IActorRef WorkersActor => _workersActor.Value;

    /// <summary>A logger of <paramref name="category"/> (see <see cref="BrrrLog"/>): the host's, else one over Akka's logging.</summary>
    internal ILogger CreateLogger(string category) =>
        _loggerFactory?.CreateLogger(category) ?? new AkkaLogger(Logging.GetLogger(_system, category));

    private TaskCompletionSource<BrrrWorker> Started(string name) =>
        _started.GetOrAdd(name, _ => new TaskCompletionSource<BrrrWorker>(TaskCreationOptions.RunContinuationsAsynchronously));

    private static TaskCompletionSource<BrrrWorker> Completed(BrrrWorker worker)
    {
        var done = new TaskCompletionSource<BrrrWorker>(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult(worker);
        return done;
    }

    private void Stopped(BrrrWorker stopped) => _workers.TryRemove(new KeyValuePair<string, BrrrWorker>(stopped.Name, stopped));

    /// <summary>Starts a worker serving one topic.</summary>
    public BrrrWorker StartWorker(BrrrBackends backends, string topic, TaskSet tasks, string? name = null) =>
        StartWorker(backends, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { [topic] = tasks }, name);
}
