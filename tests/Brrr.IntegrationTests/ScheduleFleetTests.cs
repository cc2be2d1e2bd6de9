using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;

namespace Brrr.IntegrationTests;

/// <summary>
/// A schedule ticking every second under several workers, in memory and on a real redis-server: one root per tick
/// across the fleet, no duplicates and no gaps, through a worker killed mid-run, and the missed-ticks policies after an
/// outage of the whole fleet. Bounds, not timings, are asserted.
/// </summary>
public sealed class ScheduleFleetTests
{
    public static TheoryData<string> Backends => new() { "memory", "redis" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Three_workers_ticking_every_second_push_exactly_one_root_per_tick_and_each_runs(string backend)
    {
        await using var backends = await FleetBackends.StartAsync(backend);
        await ThreeWorkersPushExactlyOneRootPerTickAsync(backends.Backends);
    }

    /// <summary>Three workers on <paramref name="backends"/> tick a schedule every second: one root per tick, no gap, each runs.</summary>
    internal static async Task ThreeWorkersPushExactlyOneRootPerTickAsync(BrrrBackends backends)
    {
        await using var fleet = new ScheduleFleet(backends, MissedTicks.RunOnce);
        for (var i = 0; i < 3; i++)
        {
            fleet.Start();
        }

        var first = await fleet.FirstTickAsync();
        await fleet.TickedAsync(first.AddSeconds(10), within: TimeSpan.FromSeconds(30));
        var checkpoint = (await fleet.LastTickAsync())!.Value;
        var expected = Ticks(first, checkpoint).Select(ScheduleSettings.TickText).ToArray();
        await Eventually.HoldsAsync(() => expected.All(fleet.Runs.ContainsKey), "the task ran for every tick up to the checkpoint");
        await fleet.DisposeAsync();
        var last = (await fleet.LastTickAsync())!.Value;

        var roots = await fleet.RootsPushedAsync(first.AddSeconds(-3), last.AddSeconds(2));

        Assert.All(roots, tick => Assert.True(tick.Value <= 1, $"tick {tick.Key:O} was pushed {tick.Value} times"));
        Assert.Equal(Ticks(first, last), roots.Where(r => r.Value == 1).Select(r => r.Key));
        Assert.InRange(roots.Values.Sum(), 11, 40);
    }

    [Fact]
    public async Task A_worker_killed_mid_run_over_redis_causes_no_duplicate_and_no_gap_under_run_once()
    {
        await using var backends = await FleetBackends.StartAsync("redis");
        await using var fleet = new ScheduleFleet(backends.Backends, MissedTicks.RunOnce);
        var victim = fleet.Start();
        fleet.Start();
        fleet.Start();
        var first = await fleet.FirstTickAsync();
        await fleet.TickedAsync(first.AddSeconds(4), within: TimeSpan.FromSeconds(20));

        await fleet.KillAsync(victim);
        await fleet.TickedAsync(first.AddSeconds(10), within: TimeSpan.FromSeconds(30));
        await fleet.DisposeAsync();
        var last = (await fleet.LastTickAsync())!.Value;

        var roots = await fleet.RootsPushedAsync(first.AddSeconds(-3), last.AddSeconds(2));
        Assert.All(roots, tick => Assert.True(tick.Value <= 1, $"tick {tick.Key:O} was pushed {tick.Value} times"));
        Assert.Equal(Ticks(first, last), roots.Where(r => r.Value == 1).Select(r => r.Key));
        Assert.True(last >= first.AddSeconds(10));
    }

    [Theory]
    [InlineData(MissedTicks.Skip)]
    [InlineData(MissedTicks.RunOnce)]
    public async Task After_an_outage_of_the_whole_fleet_a_new_worker_applies_the_missed_ticks_policy(MissedTicks policy)
    {
        await using var backends = await FleetBackends.StartAsync("memory");
        await using var fleet = new ScheduleFleet(backends.Backends, policy);
        var first = fleet.Start();
        await fleet.TickedAsync(DateTimeOffset.UtcNow.AddSeconds(2), within: TimeSpan.FromSeconds(20));
        await fleet.KillAsync(first);
        // A claim the killed worker had already sent lands within moments.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var beforeOutage = (await fleet.LastTickAsync())!.Value;

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var restart = DateTimeOffset.UtcNow;
        fleet.Start();
        var restarted = DateTimeOffset.UtcNow;
        await fleet.TickedAsync(restart.AddSeconds(3), within: TimeSpan.FromSeconds(20));
        await fleet.DisposeAsync();
        var last = (await fleet.LastTickAsync())!.Value;

        var roots = await fleet.RootsPushedAsync(beforeOutage.AddSeconds(-3), last);
        Assert.All(roots, tick => Assert.True(tick.Value <= 1, $"tick {tick.Key:O} was pushed {tick.Value} times"));
        var outage = roots.Where(r => r.Key > beforeOutage && r.Key < ScheduleFleet.Second(restart)).ToArray();
        Assert.True(outage.Length >= 2, $"the outage spans {outage.Length} ticks");
        Assert.All(outage, tick => Assert.Equal(0, tick.Value));
        var missed = fleet.Ticked.Where(t => t.Missed).ToArray();
        if (policy == MissedTicks.RunOnce)
        {
            // The latest missed tick runs once, at the restart: it is the latest tick at the new worker's start.
            var latest = Assert.Single(missed);
            Assert.InRange(latest.Tick, ScheduleFleet.Second(restart), restarted.AddSeconds(1));
            Assert.Equal(Ticks(latest.Tick, last), roots.Where(r => r.Key >= latest.Tick && r.Value == 1).Select(r => r.Key));
        }
        else
        {
            Assert.Empty(missed);
            Assert.Equal(0, roots[ScheduleFleet.Second(restart)]);
            var onTime = ScheduleFleet.Second(restarted).AddSeconds(2);
            Assert.Equal(Ticks(onTime, last), roots.Where(r => r.Key >= onTime && r.Value == 1).Select(r => r.Key));
        }
    }

    private static IEnumerable<DateTimeOffset> Ticks(DateTimeOffset from, DateTimeOffset to)
    {
        for (var tick = from; tick <= to; tick = tick.AddSeconds(1))
        {
            yield return tick;
        }
    }

    /// <summary>Fresh in-memory backends, or a redis-server of its own with short liveness timings.</summary>
    private sealed class FleetBackends(BrrrBackends backends, RedisServer? server, RedisBrrr? redis) : IAsyncDisposable
    {
        public BrrrBackends Backends { get; } = backends;

        public static async Task<FleetBackends> StartAsync(string backend)
        {
            if (backend == "memory")
            {
                return new FleetBackends(BrrrBackends.InMemory(), null, null);
            }

            var server = RedisServer.Start();
            var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with
            {
                Configuration = server.Configuration,
                HeartbeatInterval = TimeSpan.FromMilliseconds(200),
                HeartbeatTtl = TimeSpan.FromSeconds(1),
                RecoveryInterval = TimeSpan.FromMilliseconds(200),
            });
            return new FleetBackends(new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default), server, redis);
        }

        public async ValueTask DisposeAsync()
        {
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            server?.Dispose();
        }
    }
}
