using Akka.Configuration;
using Akka.Event;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>
/// A schedule whose cache goes down: the worker logs the failed claims, retries with backoff, and once the cache is
/// back applies run-once to the ticks the outage made it miss, from the cache's last claimed tick.
/// </summary>
public sealed class ScheduleOutageSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrTask<Dictionary<string, string>, string> Tick =
        BrrrTask.Create<Dictionary<string, string>, string>("tick", (_, a) => Task.FromResult(a["scheduled_at"]));

    public ScheduleOutageSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        brrr.retry-backoff-min = 50ms
        brrr.retry-backoff-max = 200ms
        brrr.schedules.every-second { cron = "* * * * * *", topic = "t", task = "tick", missed-ticks = run-once }
        """))
    {
    }

    [Fact]
    public async Task After_a_cache_outage_the_worker_runs_the_latest_missed_tick_once_and_goes_on_without_a_gap()
    {
        var ticked = CreateTestProbe();
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(ticked.Ref, typeof(ScheduleTicked));
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var cache = new SwitchableCache(new InMemoryCache());
        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { ["t"] = new TaskSet(Tick) }, BrrrBackends.InMemory() with { Cache = cache });
        var events = new List<ScheduleTicked>
        {
            ticked.ExpectMsg<ScheduleTicked>(TimeSpan.FromSeconds(10)),
            ticked.ExpectMsg<ScheduleTicked>(TimeSpan.FromSeconds(10)),
        };

        cache.Down = true;
        await Task.Delay(TimeSpan.FromSeconds(3.2));
        var beforeOutage = (await cache.Inner.GetScheduleLastTickAsync("every-second"))!.Value;
        cache.Down = false;
        var up = DateTimeOffset.UtcNow;
        while (events[^1].Tick < up.AddSeconds(3))
        {
            events.Add(ticked.ExpectMsg<ScheduleTicked>(TimeSpan.FromSeconds(10)));
        }

        var missed = Assert.Single(events, e => e.Missed);
        Assert.InRange(missed.Tick, beforeOutage.AddSeconds(3), up.AddSeconds(2));
        Assert.DoesNotContain(events, e => e.Tick > beforeOutage && e.Tick < missed.Tick);
        var after = events.Where(e => e.Tick >= missed.Tick).Select(e => e.Tick).ToArray();
        Assert.Equal(Enumerable.Range(0, after.Length).Select(s => missed.Tick.AddSeconds(s)), after);
        Assert.Equal(events.Count, events.Select(e => e.Tick).Distinct().Count());
        var logged = new List<string>();
        while (warnings.HasMessages)
        {
            logged.Add(warnings.ExpectMsg<Warning>().Message.ToString() ?? "");
        }

        Assert.Contains(logged, line => line.Contains("schedule every-second: claiming tick", StringComparison.Ordinal) && line.Contains("IOException: cache unreachable", StringComparison.Ordinal));
    }

    /// <summary>The in-memory cache, whose schedule operations throw while <see cref="Down"/>.</summary>
    private sealed class SwitchableCache(ICache inner) : ICache
    {
        public ICache Inner { get; } = inner;

        public volatile bool Down;

        public Task<bool> ClaimScheduleTickAsync(string schedule, DateTimeOffset tick, TimeSpan expiry, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("cache unreachable") : Inner.ClaimScheduleTickAsync(schedule, tick, expiry, cancellationToken);

        public Task<DateTimeOffset?> GetScheduleLastTickAsync(string schedule, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("cache unreachable") : Inner.GetScheduleLastTickAsync(schedule, cancellationToken);

        public Task MarkScheduleTickPushedAsync(string schedule, DateTimeOffset tick, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("cache unreachable") : Inner.MarkScheduleTickPushedAsync(schedule, tick, cancellationToken);

        public Task<IReadOnlyList<DateTimeOffset>> TakeUnpushedScheduleTicksAsync(string schedule, TimeSpan grace, int max, CancellationToken cancellationToken = default) =>
            Down ? throw new IOException("cache unreachable") : Inner.TakeUnpushedScheduleTicksAsync(schedule, grace, max, cancellationToken);

        public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default) => Inner.IncrAsync(rootId, cancellationToken);

        public Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default) => Inner.IncrAttemptsAsync(callHash, expiry, cancellationToken);

        public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default) => Inner.ClearAttemptsAsync(callHash, cancellationToken);

        public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default) => Inner.CancelRootAsync(rootId, cancellationToken);

        public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default) => Inner.IsRootCancelledAsync(rootId, cancellationToken);
    }
}
