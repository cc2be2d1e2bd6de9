using System.Diagnostics;
using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Redis.Tests;

/// <summary>At-least-once delivery: heartbeats, recovery of dead consumers, redelivery marks.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisQueueReliabilityTests(RedisFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Ttl = RedisFixture.FastSettings("unused").HeartbeatTtl;
    private static readonly RedisKeys Keys = RedisFixture.KeysOf(RedisLayout.Current);

    private IQueue Queue => redis.Brrr.Queue;

    private static string FreshTopic() => "reliability-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Messages_held_by_a_consumer_that_died_are_redelivered_in_order_to_another_consumer()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "one");
        await Queue.PushAsync(topic, "two");
        await Queue.PushAsync(topic, "three");
        var dying = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        Assert.Equal("one", (await dying.ReceiveAsync(Wait))?.Message);
        Assert.Equal("two", (await dying.ReceiveAsync(Wait))?.Message);
        await dying.AbandonAsync();

        await using var survivor = Queue.CreateConsumer(topic);
        var received = new List<QueueDelivery>();
        for (var i = 0; i < 3; i++)
        {
            var delivery = await survivor.ReceiveAsync(Wait);
            Assert.NotNull(delivery);
            received.Add(delivery);
            await survivor.AckAsync(delivery);
        }

        // "three" may be received before the dead consumer's heartbeat expires; the recovered ones keep their order.
        var recovered = received.Where(d => d.Message != "three").ToList();
        Assert.Equal(["one", "two"], recovered.Select(d => d.Message));
        Assert.All(recovered, d => Assert.True(d.Redelivered));
        Assert.False(received.Single(d => d.Message == "three").Redelivered);
        Assert.False(await redis.Raw.SetContainsAsync(Keys.Consumers(topic), dying.Id));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.InFlight(topic, dying.Id)));
    }

    [Fact]
    public async Task A_message_left_in_a_dead_consumer_s_landing_list_is_redelivered_after_what_it_held()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "held");
        var dying = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        Assert.Equal("held", (await dying.ReceiveAsync(Wait))?.Message);

        // The reply of a blocking receive was lost between the move and the script that takes what landed.
        await redis.Raw.ListRightPushAsync(Keys.Landing(topic, dying.Id), "landed");
        Assert.Equal(2, (await ((RedisQueue)Queue).GetStatsAsync(topic)).InFlight);
        Assert.Equal(["held", "landed"], await ((RedisQueue)Queue).GetHeldAsync(topic, dying.Id));
        await dying.AbandonAsync();

        await using var survivor = Queue.CreateConsumer(topic);
        var received = new List<QueueDelivery>();
        for (var i = 0; i < 2; i++)
        {
            var delivery = await survivor.ReceiveAsync(Wait);
            Assert.NotNull(delivery);
            received.Add(delivery);
            await survivor.AckAsync(delivery);
        }

        Assert.Equal(["held", "landed"], received.Select(d => d.Message));
        Assert.All(received, d => Assert.True(d.Redelivered));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Landing(topic, dying.Id)));
    }

    [Fact]
    public async Task A_blocking_receive_takes_the_message_through_the_landing_list_into_the_in_flight_list()
    {
        var topic = FreshTopic();
        await using var consumer = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        var receiving = consumer.ReceiveAsync(Wait);
        await Task.Delay(200);
        await Queue.PushAsync(topic, "late");

        var delivery = await receiving;

        Assert.Equal("late", delivery?.Message);
        Assert.False(delivery!.Redelivered);
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Landing(topic, consumer.Id)));
        Assert.Equal(["late"], (await redis.Raw.ListRangeAsync(Keys.InFlight(topic, consumer.Id))).Select(v => v.ToString()));
        Assert.True(await redis.Raw.SetContainsAsync(Keys.Consumers(topic), consumer.Id));
        await consumer.AckAsync(delivery);
    }

    [Fact]
    public async Task An_acknowledged_message_is_not_redelivered_when_its_consumer_dies()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "done");
        await Queue.PushAsync(topic, "unfinished");
        var dying = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        var done = await dying.ReceiveAsync(Wait);
        Assert.NotNull(done);
        await dying.AckAsync(done);
        Assert.Equal("unfinished", (await dying.ReceiveAsync(Wait))?.Message);
        await dying.AbandonAsync();

        await using var survivor = Queue.CreateConsumer(topic);
        var redelivered = await survivor.ReceiveAsync(Wait);
        Assert.NotNull(redelivered);
        Assert.Equal("unfinished", redelivered.Message);
        Assert.True(redelivered.Redelivered);
        await survivor.AckAsync(redelivered);

        // The recovery gave back all the dead consumer held in one atomic step and deregistered it: with its in-flight
        // list gone and the topic empty, nothing is left that could come back.
        Assert.False(await redis.Raw.SetContainsAsync(Keys.Consumers(topic), dying.Id));
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.InFlight(topic, dying.Id)));
        Assert.Equal(new QueueStats(topic, 0, 0), await Queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task A_live_consumer_keeps_its_messages_longer_than_the_heartbeat_time_to_live()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "mine");
        await using var holder = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        var held = await holder.ReceiveAsync(Wait);
        Assert.NotNull(held);
        var clock = Stopwatch.StartNew();

        // No other consumer exists yet, so nothing can give the message back while the holder beats: wait until a
        // fresh beat after two times to live, then scan as another consumer would. (A wait for "nothing came back"
        // would fail whenever a loaded machine delays a beat past the 1 s time to live.)
        var heartbeat = Keys.Heartbeat(topic, holder.Id);
        await Eventually.HoldsAsync(
            async () => clock.Elapsed > 2 * Ttl && await redis.Raw.KeyTimeToLiveAsync(heartbeat) > Ttl / 2,
            "the holder's heartbeat refreshed two times to live after it took the message");
        await using var other = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        Assert.Equal(0, await other.RecoverDeadConsumersAsync());
        Assert.Equal(new QueueStats(topic, 0, 1), await Queue.GetStatsAsync(topic));
        await holder.AckAsync(held);
    }

    [Fact]
    public async Task A_consumer_whose_heartbeat_lapsed_beats_again_before_it_takes_a_message()
    {
        var topic = FreshTopic();
        await using var consumer = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(50)));
        await consumer.StallLivenessAsync();
        var heartbeat = Keys.Heartbeat(topic, consumer.Id);
        await Eventually.HoldsAsync(async () => !await redis.Raw.KeyExistsAsync(heartbeat), "the stalled consumer's heartbeat expired");

        await Queue.PushAsync(topic, "work");
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.Equal("work", delivery?.Message);

        // It proved itself alive before it took the message: a recovery scan leaves the message with it.
        Assert.True(await redis.Raw.KeyExistsAsync(heartbeat), "the consumer took a message while its heartbeat was expired");
        await using var other = (RedisQueueConsumer)Queue.CreateConsumer(topic);
        Assert.Equal(0, await other.RecoverDeadConsumersAsync());
        Assert.Equal(new QueueStats(topic, 0, 1), await Queue.GetStatsAsync(topic));
        await consumer.AckAsync(delivery!);
    }

    [Fact]
    public async Task The_redelivered_mark_is_consumed_by_the_delivery_it_belongs_to()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "same");
        await using var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(first);
        await consumer.ReleaseAsync(first);
        var again = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(again);
        Assert.True(again.Redelivered);
        await consumer.AckAsync(again);

        await Queue.PushAsync(topic, "same");
        var fresh = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(fresh);
        Assert.False(fresh.Redelivered);
        await consumer.AckAsync(fresh);
        Assert.False(await redis.Raw.KeyExistsAsync(Keys.Redelivered(topic)));
    }

    [Fact]
    public async Task A_message_released_to_a_consumer_waiting_in_a_blocking_receive_arrives_marked_redelivered()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "bounce");
        await using var first = Queue.CreateConsumer(topic);
        var held = await first.ReceiveAsync(Wait);
        Assert.NotNull(held);

        await using var waiting = Queue.CreateConsumer(topic);
        var receive = waiting.ReceiveAsync(Wait);
        await Task.Delay(200);
        Assert.False(receive.IsCompleted);
        await first.ReleaseAsync(held);
        var delivery = await receive;
        Assert.NotNull(delivery);
        Assert.Equal("bounce", delivery.Message);
        Assert.True(delivery.Redelivered);
    }

    [Fact]
    public async Task Redelivery_marks_expire_when_nobody_reads_them()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "taken-by-python");
        await using var consumer = Queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        await consumer.ReleaseAsync(delivery);

        // A worker that knows nothing of the marks pops the message: the mark must not stay forever.
        Assert.Equal("taken-by-python", (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(topic)));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(Keys.Redelivered(topic));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_later_release_does_not_push_back_the_expiry_of_the_redelivery_marks()
    {
        var topic = FreshTopic();
        var marks = Keys.Redelivered(topic);
        await Queue.PushAsync(topic, "taken-by-python");
        await Queue.PushAsync(topic, "released-again");
        await using var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(first);
        await consumer.ReleaseAsync(first);
        Assert.Equal("taken-by-python", (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(topic)));

        // As if most of the marks' time to live had passed since: a release now must not give them a new one.
        Assert.True(await redis.Raw.KeyExpireAsync(marks, TimeSpan.FromMinutes(1)));
        var second = await consumer.ReceiveAsync(Wait);
        Assert.Equal("released-again", second?.Message);
        await consumer.ReleaseAsync(second!);

        var ttl = await redis.Raw.KeyTimeToLiveAsync(marks);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Giving_back_a_consumers_messages_does_not_push_back_the_expiry_of_the_redelivery_marks()
    {
        var topic = FreshTopic();
        var marks = Keys.Redelivered(topic);
        await Queue.PushAsync(topic, "released");
        await Queue.PushAsync(topic, "held-at-dispose");
        var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(first);
        await consumer.ReleaseAsync(first);
        Assert.Equal("released", (string?)await redis.Raw.ListLeftPopAsync(Keys.Topic(topic)));
        Assert.Equal("held-at-dispose", (await consumer.ReceiveAsync(Wait))?.Message);

        // As if most of the marks' time to live had passed since: giving back what the consumer holds must not renew it.
        Assert.True(await redis.Raw.KeyExpireAsync(marks, TimeSpan.FromMinutes(1)));
        await consumer.DisposeAsync();

        Assert.Equal("held-at-dispose", (string?)await redis.Raw.ListGetByIndexAsync(Keys.Topic(topic), 0));
        var ttl = await redis.Raw.KeyTimeToLiveAsync(marks);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_receive_cancelled_while_blocking_loses_no_message()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consumer.ReceiveAsync(Wait, cancel.Token));
        }

        await Queue.PushAsync(topic, "after-cancel");
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        Assert.Equal("after-cancel", delivery.Message);
        await consumer.AckAsync(delivery);
        Assert.Equal(new QueueStats(topic, 0, 0), await Queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task Receive_with_a_timeout_longer_than_the_block_timeout_waits_in_slices_and_still_gets_a_late_message()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        var receive = consumer.ReceiveAsync(TimeSpan.FromSeconds(3));

        // The fixture's block timeout is 500 ms: this arrives during a later slice.
        await Task.Delay(1200);
        Assert.False(receive.IsCompleted);
        await Queue.PushAsync(topic, "late");
        Assert.Equal("late", (await receive)?.Message);
    }

    [Fact]
    public async Task Settling_a_delivery_twice_is_refused()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "once");
        await using var consumer = Queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        await consumer.AckAsync(delivery);
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.AckAsync(delivery));
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.ReleaseAsync(delivery));
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisBrrrDisposalTests(RedisFixture redis)
{
    [Fact]
    public async Task Disposing_the_backends_gives_back_what_open_consumers_hold()
    {
        var topic = "disposal-" + Guid.NewGuid().ToString("N");
        await using (var brrr = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(redis.Server.Configuration)))
        {
            await brrr.Queue.PushAsync(topic, "held");
            var consumer = brrr.Queue.CreateConsumer(topic);
            Assert.Equal("held", (await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)))?.Message);
        }

        // Given back at once, not after a heartbeat expiry: the next consumer gets it within a short wait.
        Assert.Equal(1, await redis.Raw.ListLengthAsync(RedisLayout.Current.TopicList(topic)));
        await using var other = redis.Brrr.Queue.CreateConsumer(topic);
        var delivery = await other.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(delivery);
        Assert.True(delivery.Redelivered);
    }
}
