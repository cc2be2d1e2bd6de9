using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Tests;

/// <summary>Put-job and the spawn limit (PROTOCOL.md §5).</summary>
public sealed class JobsSpawnLimitTests
{
    private readonly InMemoryCache _cache = new();
    private readonly InMemoryQueue _queue = new();

    [Fact]
    public async Task Jobs_over_the_limit_of_a_root_are_refused_with_the_counts()
    {
        var jobs = new Jobs(_cache, _queue, spawnLimit: 3);
        for (var i = 0; i < 3; i++)
        {
            await jobs.PutAsync("t", new ScheduleMessage("root", $"h{i}"));
        }

        var error = await Assert.ThrowsAsync<SpawnLimitException>(() => jobs.PutAsync("t", new ScheduleMessage("root", "h3")));
        Assert.Equal("root", error.RootId);
        Assert.Equal(4, error.Count);
        Assert.Equal(3, error.Limit);
        Assert.Equal(3, (await _queue.GetStatsAsync("t")).Waiting);
    }

    [Fact]
    public async Task Each_root_has_its_own_counter()
    {
        var jobs = new Jobs(_cache, _queue, spawnLimit: 3);
        for (var i = 0; i < 3; i++)
        {
            await jobs.PutAsync("t", new ScheduleMessage("root-a", "h"));
        }

        await Assert.ThrowsAsync<SpawnLimitException>(() => jobs.PutAsync("t", new ScheduleMessage("root-a", "h")));
        for (var i = 0; i < 3; i++)
        {
            await jobs.PutAsync("t", new ScheduleMessage("root-b", "h"));
        }

        Assert.Equal(6, (await _queue.GetStatsAsync("t")).Waiting);
        Assert.Equal(5, await _cache.IncrAsync("root-a"));
    }

    [Fact]
    public async Task Jobs_are_pushed_as_schedule_message_wire_text_and_counted_per_root()
    {
        var jobs = new Jobs(_cache, _queue);
        await jobs.PutAsync("topic-a", new ScheduleMessage("r00t", "c4llh4sh"));

        await using var consumer = _queue.CreateConsumer("topic-a");
        var delivery = await consumer.ReceiveAsync(TimeSpan.Zero);
        Assert.Equal("li2e4:r00t8:c4llh4she", delivery?.Message);
        Assert.Equal(2, await _cache.IncrAsync("r00t"));
    }

    [Fact]
    public void A_spawn_limit_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jobs(_cache, _queue, spawnLimit: 0));
        Assert.Equal(10_000, new Jobs(_cache, _queue).SpawnLimit);
    }
}
