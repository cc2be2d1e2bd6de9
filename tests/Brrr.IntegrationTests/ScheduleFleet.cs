using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Tasks;

namespace Brrr.IntegrationTests;

/// <summary>
/// Workers, each in its own ActorSystem, on shared backends, all ticking one schedule every second (a fresh name per
/// fleet). Roots pushed per tick are counted from the cache's spawn counter of the tick's root id: every push of a root
/// counts one, and the tick task defers to no child.
/// </summary>
internal sealed class ScheduleFleet : IAsyncDisposable
{
    public const string Topic = "ticks";

    private readonly List<(ActorSystem System, BrrrWorker Worker)> _workers = [];
    private readonly Config _config;
    private readonly BrrrTask<TickArgs, string> _task;

    public ScheduleFleet(BrrrBackends backends, MissedTicks missedTicks)
    {
        Backends = backends;
        Name = "every-second-" + Guid.NewGuid().ToString("N")[..8];
        _config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            # Terminate() kills a worker abruptly: no CoordinatedShutdown, no graceful stop.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            brrr.poll-timeout = 200ms
            brrr.shutdown-timeout = 1s
            brrr.schedules."{{Name}}" {
              cron = "* * * * * *"
              topic = {{Topic}}
              task = tick
              args = "{\"label\": \"fleet\"}"
              missed-ticks = {{(missedTicks == MissedTicks.Skip ? "skip" : "run-once")}}
            }
            """);
        Schedule = BrrrSettings.Create(_config).Schedules[Name];
        _task = BrrrTask.Create<TickArgs, string>("tick", (_, args) =>
        {
            Runs.AddOrUpdate(args.ScheduledAt, 1, (_, n) => n + 1);
            return Task.FromResult(args.ScheduledAt);
        });
    }

    public string Name { get; }

    public BrrrBackends Backends { get; }

    public ScheduleSettings Schedule { get; }

    /// <summary>Runs of the tick task by its <c>scheduled_at</c>.</summary>
    public ConcurrentDictionary<string, int> Runs { get; } = new(StringComparer.Ordinal);

    /// <summary>Every <see cref="ScheduleTicked"/> the fleet's systems published.</summary>
    public ConcurrentQueue<ScheduleTicked> Ticked { get; } = new();

    public ActorSystem Start()
    {
        var system = ActorSystem.Create($"schedule-{_workers.Count}", _config);
        var collector = system.ActorOf(Props.Create(() => new Collector(Ticked)));
        system.EventStream.Subscribe(collector, typeof(ScheduleTicked));
        var worker = BrrrExtension.Get(system).StartWorker(Backends, Topic, new TaskSet(_task));
        _workers.Add((system, worker));
        return system;
    }

    /// <summary>Kills a worker abruptly: its ActorSystem terminates without stopping the worker.</summary>
    public async Task KillAsync(ActorSystem system)
    {
        _workers.RemoveAll(w => w.System == system);
        await system.Terminate();
    }

    public async Task<DateTimeOffset?> LastTickAsync() => await Backends.Cache.GetScheduleLastTickAsync(Name);

    /// <summary>The first tick the fleet claimed, once it claimed one.</summary>
    public async Task<DateTimeOffset> FirstTickAsync()
    {
        await Contracts.Eventually.HoldsAsync(async () => await LastTickAsync() is not null, $"schedule {Name} claimed its first tick", TimeSpan.FromSeconds(20));
        return (await LastTickAsync())!.Value;
    }

    /// <summary>Waits until the fleet claimed a tick at or after <paramref name="tick"/>.</summary>
    public Task TickedAsync(DateTimeOffset tick, TimeSpan within) =>
        Contracts.Eventually.HoldsAsync(async () => await LastTickAsync() >= tick, $"schedule {Name} claimed a tick at or after {tick:O}", within);

    /// <summary>Roots pushed for each whole second in (<paramref name="after"/>, <paramref name="until"/>]; read once, after the fleet stopped.</summary>
    public async Task<SortedDictionary<DateTimeOffset, long>> RootsPushedAsync(DateTimeOffset after, DateTimeOffset until)
    {
        var roots = new SortedDictionary<DateTimeOffset, long>();
        for (var tick = Second(after).AddSeconds(1); tick <= until; tick = tick.AddSeconds(1))
        {
            // The counter's increments so far are the root's pushes; this read adds one.
            roots[tick] = await Backends.Cache.IncrAsync(Schedule.RootIdOf(tick)) - 1;
        }

        return roots;
    }

    public static DateTimeOffset Second(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    public async ValueTask DisposeAsync()
    {
        foreach (var (system, worker) in _workers)
        {
            await worker.StopAsync();
            await system.Terminate();
        }

        _workers.Clear();
    }

    public sealed record TickArgs(string Label, string ScheduledAt);

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<ScheduleTicked> ticked) => Receive<ScheduleTicked>(ticked.Enqueue);
    }
}
