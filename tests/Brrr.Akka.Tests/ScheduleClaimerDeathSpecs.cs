using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>
/// A worker that claimed a tick and died before pushing its root: the claim left the tick listed as unpushed, and once
/// <c>push-grace</c> has passed a live worker pushes that tick's root, once, and the schedule goes on.
/// </summary>
public sealed class ScheduleClaimerDeathSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrTask<Dictionary<string, string>, string> Tick =
        BrrrTask.Create<Dictionary<string, string>, string>("tick", (_, a) => Task.FromResult(a["scheduled_at"]));

    public ScheduleClaimerDeathSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        brrr.schedules.every-second { cron = "* * * * * *", topic = "t", task = "tick", missed-ticks = skip, push-grace = 1s }
        """))
    {
    }

    [Fact]
    public async Task The_root_of_a_tick_whose_claimer_died_before_its_push_is_pushed_once_by_a_live_worker()
    {
        var cache = new InMemoryCache();
        var now = DateTimeOffset.UtcNow;
        var dead = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() - 2);
        Assert.True(await cache.ClaimScheduleTickAsync("every-second", dead, TimeSpan.FromHours(1)));
        var ticked = CreateTestProbe();
        Sys.EventStream.Subscribe(ticked.Ref, typeof(ScheduleTicked));

        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { ["t"] = new TaskSet(Tick) }, BrrrBackends.InMemory() with { Cache = cache });
        var events = new List<ScheduleTicked>();
        while (events.Count(e => e.Tick == dead) == 0 || events.Count < 5)
        {
            events.Add(ticked.ExpectMsg<ScheduleTicked>(TimeSpan.FromSeconds(10)));
        }

        var recovered = Assert.Single(events, e => e.Tick == dead);
        Assert.True(recovered.Missed);
        Assert.Equal(events.Count, events.Select(e => e.Tick).Distinct().Count());
        var schedule = brrr.Worker.Settings.Schedules["every-second"];
        var value = await brrr.Client.WaitAsync(Tick, new Dictionary<string, string> { ["scheduled_at"] = ScheduleSettings.TickText(dead) }, TimeSpan.FromSeconds(10));
        Assert.Equal(ScheduleSettings.TickText(dead), value);
        Assert.Equal(schedule.RootIdOf(dead), recovered.RootId);
        Assert.Empty(await cache.TakeUnpushedScheduleTicksAsync("every-second", TimeSpan.Zero, 10));
    }
}
