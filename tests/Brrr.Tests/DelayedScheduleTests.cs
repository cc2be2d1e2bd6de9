using Brrr.Backends;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>How the client schedules for later: what it writes, and what it refuses before writing anything.</summary>
public sealed class DelayedScheduleTests
{
    private static readonly TaskRef<int, int> Work = BrrrTask.Ref<int, int>("work", "delayed-topic");

    [Fact]
    public async Task A_delayed_root_writes_its_call_record_and_waits_in_the_delayed_set_counted_against_its_spawn_limit()
    {
        var (store, cache, queue) = (new InMemoryStore(), new InMemoryCache(), new InMemoryQueue());
        var client = new BrrrClient(store, cache, queue);

        var call = await client.ScheduleAsync(Work, 7, new ScheduleOptions { Delay = TimeSpan.FromHours(1) });

        Assert.Equal((0, 1), ((await queue.GetStatsAsync("delayed-topic")).Waiting, await queue.CountDelayedAsync("delayed-topic")));
        Assert.True(await store.HasAsync(new MemKey(MemKeyType.Call, call.CallHash)));
        Assert.Equal(0, await queue.PromoteDueAsync("delayed-topic", 10));
    }

    [Fact]
    public async Task A_due_time_already_past_or_a_zero_delay_pushes_the_job_at_once()
    {
        var queue = new InMemoryQueue();
        var client = new BrrrClient(new InMemoryStore(), new InMemoryCache(), queue);

        await client.ScheduleAsync(Work, 1, new ScheduleOptions { NotBefore = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1) });
        await client.ScheduleAsync(Work, 2, new ScheduleOptions { Delay = TimeSpan.Zero });

        Assert.Equal((2, 0), ((await queue.GetStatsAsync("delayed-topic")).Waiting, await queue.CountDelayedAsync("delayed-topic")));
    }

    [Fact]
    public async Task A_delay_on_a_queue_that_cannot_delay_is_refused_before_anything_is_written()
    {
        var store = new InMemoryStore();
        var client = new BrrrClient(store, new InMemoryCache(), new PlainQueue(new InMemoryQueue()));

        var refused = await Assert.ThrowsAsync<NotSupportedException>(() => client.ScheduleAsync(Work, 3, new ScheduleOptions { Delay = TimeSpan.FromSeconds(5) }));

        Assert.Contains(nameof(IDelayedQueue), refused.Message, StringComparison.Ordinal);
        Assert.False(await store.HasAsync(new MemKey(MemKeyType.Call, client.Codec.EncodeCall("work", 3).CallHash)));
    }

    [Fact]
    public async Task Both_a_due_time_and_a_delay_or_a_negative_delay_are_refused()
    {
        var client = new BrrrClient(new InMemoryStore(), new InMemoryCache(), new InMemoryQueue());

        await Assert.ThrowsAsync<ArgumentException>(() => client.ScheduleAsync(Work, 4, new ScheduleOptions { Delay = TimeSpan.FromSeconds(1), NotBefore = DateTimeOffset.UtcNow }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ScheduleAsync(Work, 4, new ScheduleOptions { Delay = TimeSpan.FromSeconds(-1) }));
    }

    /// <summary>A queue that only queues: it implements <see cref="IQueue"/> and nothing else.</summary>
    private sealed class PlainQueue(IQueue inner) : IQueue
    {
        public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default) => inner.PushAsync(topic, message, cancellationToken);

        public IQueueConsumer CreateConsumer(string topic) => inner.CreateConsumer(topic);

        public Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetStatsAsync(topic, cancellationToken);
    }
}
