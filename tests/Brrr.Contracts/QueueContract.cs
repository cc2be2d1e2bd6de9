using System.Collections.Concurrent;
using Brrr.Backends;

namespace Brrr.Contracts;

/// <summary>
/// The conformance suite of <see cref="IQueue"/>: every queue backend subclasses it unchanged.
/// Each test uses fresh topic names, so one server can serve every test.
/// </summary>
public abstract class QueueContract
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);
    private readonly Lazy<IQueue> _queue;

    /// <summary>The queue under test; created once per test.</summary>
    protected IQueue Queue => _queue.Value;

    /// <summary>Sets up the suite; the backend is created once, on first use, even when tests use it from many threads.</summary>
    protected QueueContract() => _queue = new Lazy<IQueue>(CreateQueue, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates the queue under test.</summary>
    protected abstract IQueue CreateQueue();

    /// <summary>
    /// Whether the queue is first in, first out, and puts a released message back at the head (in memory, Redis). A queue
    /// that promises no order (SQS standard queues) says false: the suite then checks that the same messages come out,
    /// each once, in any order.
    /// </summary>
    protected virtual bool KeepsOrder => true;

    /// <summary>
    /// Whether the broker delivers delayed messages itself (SQS <c>DelaySeconds</c>): promotion then moves nothing, and a
    /// message due already is receivable at once. False (in memory, Redis): delayed messages enter their topic only when
    /// promoted (<see cref="IDelayedQueue.PromoteDueAsync"/>).
    /// </summary>
    protected virtual bool DelaysNatively => false;

    /// <summary>The messages in the order they came out, or sorted ordinally when the queue keeps no order.</summary>
    private IEnumerable<string> AsDelivered(IEnumerable<string> messages) => KeepsOrder ? messages : messages.Order(StringComparer.Ordinal);

    /// <summary>A topic no other test uses.</summary>
    protected static string FreshTopic() => "test-topic-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Messages_come_out_in_the_order_they_were_pushed()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        for (var i = 0; i < 5; i++)
        {
            await Queue.PushAsync(topic, $"m{i}");
        }

        var received = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var delivery = await consumer.ReceiveAsync(Wait);
            Assert.NotNull(delivery);
            received.Add(delivery.Message);
            Assert.Equal(topic, delivery.Topic);
            Assert.False(delivery.Redelivered);
            await consumer.AckAsync(delivery);
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"m{i}"), AsDelivered(received));
        Assert.Null(await consumer.ReceiveAsync(Short));
    }

    [Fact]
    public async Task Receive_on_an_empty_topic_returns_null_after_the_timeout()
    {
        await using var consumer = Queue.CreateConsumer(FreshTopic());
        Assert.Null(await consumer.ReceiveAsync(Short));
    }

    [Fact]
    public async Task A_message_pushed_while_a_consumer_waits_is_received()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        var receive = consumer.ReceiveAsync(Wait);
        await Task.Delay(50);
        await Queue.PushAsync(topic, "late");
        var delivery = await receive;
        Assert.Equal("late", delivery?.Message);
    }

    [Fact]
    public async Task Non_ascii_messages_round_trip()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        await Queue.PushAsync(topic, "li2e6:rööt1:he");
        Assert.Equal("li2e6:rööt1:he", (await consumer.ReceiveAsync(Wait))?.Message);
    }

    [Fact]
    public async Task Topics_are_independent()
    {
        var a = FreshTopic();
        var b = FreshTopic();
        await Queue.PushAsync(a, "for-a");
        await using var consumerB = Queue.CreateConsumer(b);
        Assert.Null(await consumerB.ReceiveAsync(Short));
        await using var consumerA = Queue.CreateConsumer(a);
        Assert.Equal("for-a", (await consumerA.ReceiveAsync(Wait))?.Message);
    }

    [Fact]
    public async Task Stats_count_waiting_and_in_flight_messages()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "one");
        await Queue.PushAsync(topic, "two");
        await Queue.PushAsync(topic, "three");
        Assert.Equal(new QueueStats(topic, 3, 0), await Queue.GetStatsAsync(topic));
        await using var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(first);
        Assert.Equal(new QueueStats(topic, 2, 1), await Queue.GetStatsAsync(topic));
        await consumer.AckAsync(first);
        Assert.Equal(new QueueStats(topic, 2, 0), await Queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task Receiving_many_takes_what_waits_in_order_up_to_the_most_asked_for_and_holds_each()
    {
        var topic = FreshTopic();
        for (var i = 0; i < 5; i++)
        {
            await Queue.PushAsync(topic, $"m{i}");
        }

        await using var consumer = Queue.CreateConsumer(topic);
        var batch = await consumer.ReceiveManyAsync(3, Wait);
        Assert.Equal(3, batch.Count);
        if (KeepsOrder)
        {
            Assert.Equal(["m0", "m1", "m2"], batch.Select(d => d.Message));
        }

        Assert.All(batch, d => Assert.False(d.Redelivered));
        Assert.Equal(new QueueStats(topic, 2, 3), await Queue.GetStatsAsync(topic));

        var rest = await consumer.ReceiveManyAsync(10, Wait);
        Assert.Equal(2, rest.Count);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], batch.Concat(rest).Select(d => d.Message).Order(StringComparer.Ordinal));
        if (KeepsOrder)
        {
            Assert.Equal(["m3", "m4"], rest.Select(d => d.Message));
        }

        foreach (var delivery in batch.Concat(rest))
        {
            await consumer.AckAsync(delivery);
        }

        Assert.Equal(new QueueStats(topic, 0, 0), await Queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task Receiving_many_on_an_empty_topic_waits_for_the_first_message_and_is_empty_after_the_timeout()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        Assert.Empty(await consumer.ReceiveManyAsync(4, Short));

        var receiving = consumer.ReceiveManyAsync(4, Wait);
        await Queue.PushAsync(topic, "late");
        var batch = await receiving;
        Assert.Equal("late", Assert.Single(batch).Message);
        await consumer.AckAsync(batch[0]);
    }

    [Fact]
    public async Task Released_messages_received_in_a_batch_stay_marked_redelivered()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "a");
        await Queue.PushAsync(topic, "b");
        await using var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveManyAsync(2, Wait);
        foreach (var delivery in first.Reverse())
        {
            await consumer.ReleaseAsync(delivery);
        }

        var again = await consumer.ReceiveManyAsync(2, Wait);
        Assert.Equal(["a", "b"], AsDelivered(again.Select(d => d.Message)));
        Assert.All(again, d => Assert.True(d.Redelivered));
        foreach (var delivery in again)
        {
            await consumer.AckAsync(delivery);
        }
    }

    [Fact]
    public async Task An_acknowledged_message_is_never_delivered_again()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "once");
        var consumer = Queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        await consumer.AckAsync(delivery);
        await consumer.DisposeAsync();
        await using var other = Queue.CreateConsumer(topic);
        Assert.Null(await other.ReceiveAsync(Short));
    }

    [Fact]
    public async Task A_released_message_goes_back_to_the_head_marked_redelivered()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "first");
        await Queue.PushAsync(topic, "second");
        await using var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(first);
        await consumer.ReleaseAsync(first);
        var again = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(again);
        if (!KeepsOrder && again.Message != first.Message)
        {
            // No head to go back to: the released message comes after the other one.
            Assert.False(again.Redelivered);
            await consumer.AckAsync(again);
            again = await consumer.ReceiveAsync(Wait);
            Assert.NotNull(again);
        }

        Assert.Equal(KeepsOrder ? "first" : first.Message, again.Message);
        Assert.True(again.Redelivered);
        await consumer.AckAsync(again);
    }

    [Fact]
    public async Task Messages_held_by_a_disposed_consumer_go_to_another_consumer()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "held");
        var dying = Queue.CreateConsumer(topic);
        Assert.Equal("held", (await dying.ReceiveAsync(Wait))?.Message);
        await dying.DisposeAsync();
        await using var other = Queue.CreateConsumer(topic);
        var delivery = await other.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        Assert.Equal("held", delivery.Message);
        Assert.True(delivery.Redelivered);
    }

    [Fact]
    public async Task Concurrent_producers_and_consumers_deliver_every_message_exactly_once()
    {
        var topic = FreshTopic();
        const int producers = 4;
        const int perProducer = 250;
        var received = new ConcurrentBag<string>();
        var pushing = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                await Queue.PushAsync(topic, $"p{p}-m{i}");
            }
        })).ToArray();
        var consuming = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            await using var consumer = Queue.CreateConsumer(topic);
            while (true)
            {
                var delivery = await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(500));
                if (delivery is null)
                {
                    if (pushing.All(t => t.IsCompleted))
                    {
                        return;
                    }

                    continue;
                }

                received.Add(delivery.Message);
                await consumer.AckAsync(delivery);
            }
        })).ToArray();
        await Task.WhenAll(pushing);
        await Task.WhenAll(consuming);
        var expected = Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => $"p{p}-m{i}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    /// <summary>The queue under test as a delaying queue: every queue backend must hold messages back.</summary>
    protected IDelayedQueue Delayed => Assert.IsAssignableFrom<IDelayedQueue>(Queue);

    /// <summary>Promotes what is due, as workers do every poll interval, and takes one message if one is waiting.</summary>
    private async Task<QueueDelivery?> PromoteAndReceiveAsync(IQueueConsumer consumer, string topic, TimeSpan timeout)
    {
        await Delayed.PromoteDueAsync(topic, 100);
        return await consumer.ReceiveAsync(timeout);
    }

    /// <summary>Polls (promote, then a short receive) until a message comes, for at most <paramref name="bound"/>.</summary>
    private async Task<QueueDelivery> PollUntilReceivedAsync(IQueueConsumer consumer, string topic, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            if (await PromoteAndReceiveAsync(consumer, topic, TimeSpan.FromMilliseconds(50)) is { } delivery)
            {
                return delivery;
            }
        }

        throw new TimeoutException($"No message on {topic} within {bound.TotalSeconds} s.");
    }

    [Fact]
    public async Task A_delayed_message_is_not_in_its_topic_before_it_is_due_and_is_received_soon_after()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        await Delayed.PushAsync(topic, "later", due);
        Assert.Equal(1, await Delayed.CountDelayedAsync(topic));
        Assert.Equal(new QueueStats(topic, 0, 0), await Queue.GetStatsAsync(topic));

        var early = await PromoteAndReceiveAsync(consumer, topic, Short);
        Assert.True(early is null || DateTimeOffset.UtcNow >= due, "a delayed message was received before it was due");

        var delivery = early ?? await PollUntilReceivedAsync(consumer, topic, Wait + TimeSpan.FromSeconds(1));
        var received = DateTimeOffset.UtcNow;
        Assert.Equal("later", delivery.Message);
        Assert.False(delivery.Redelivered);

        // Not before due (a few ms of slack between the producer's clock and the backend's), and well within a bound after it.
        Assert.InRange(received, due - TimeSpan.FromMilliseconds(5), due + Wait);
        Assert.Equal(0, await Delayed.CountDelayedAsync(topic));
        await consumer.AckAsync(delivery);
    }

    [Fact]
    public async Task A_message_delayed_to_a_past_time_is_due_at_the_next_promotion()
    {
        var topic = FreshTopic();
        await using var consumer = Queue.CreateConsumer(topic);
        await Delayed.PushAsync(topic, "overdue", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
        if (!DelaysNatively)
        {
            Assert.Null(await consumer.ReceiveAsync(Short));
        }

        Assert.Equal(DelaysNatively ? 0 : 1, await Delayed.PromoteDueAsync(topic, 10));
        Assert.Equal("overdue", (await consumer.ReceiveAsync(Wait))?.Message);
    }

    [Fact]
    public async Task The_same_message_delayed_twice_is_delivered_twice()
    {
        var topic = FreshTopic();
        var due = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        await Delayed.PushAsync(topic, "twice", due);
        await Delayed.PushAsync(topic, "twice", due);
        Assert.Equal(DelaysNatively ? 0 : 2, await Delayed.CountDelayedAsync(topic));
        Assert.Equal(DelaysNatively ? 0 : 2, await Delayed.PromoteDueAsync(topic, 10));
        await using var consumer = Queue.CreateConsumer(topic);
        var batch = await consumer.ReceiveManyAsync(5, Wait);
        Assert.Equal(["twice", "twice"], batch.Select(d => d.Message));
    }

    [Fact]
    public async Task Promotion_moves_due_messages_earliest_first_in_batches_and_leaves_those_not_due()
    {
        var topic = FreshTopic();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 25; i++)
        {
            await Delayed.PushAsync(topic, $"due-{i:00}", now - TimeSpan.FromSeconds(100 - i));
        }

        await Delayed.PushAsync(topic, "not-yet", now + TimeSpan.FromHours(1));
        foreach (var moved in DelaysNatively ? [0] : new[] { 10, 10, 5, 0 })
        {
            Assert.Equal(moved, await Delayed.PromoteDueAsync(topic, 10));
        }

        Assert.Equal(1, await Delayed.CountDelayedAsync(topic));
        await using var consumer = Queue.CreateConsumer(topic);
        var all = await consumer.ReceiveManyAsync(100, Wait);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"due-{i:00}"), AsDelivered(all.Select(d => d.Message)));
        Assert.Null(await consumer.ReceiveAsync(Short));
    }

    [Fact]
    public async Task A_message_released_for_later_is_settled_now_and_comes_back_redelivered_once_due()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "retry-me");
        await using var consumer = Queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        var delayedConsumer = Assert.IsAssignableFrom<IDelayedQueueConsumer>(consumer);
        var due = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        await delayedConsumer.ReleaseAsync(delivery, due);
        Assert.Equal(new QueueStats(topic, 0, 0), await Queue.GetStatsAsync(topic));
        Assert.Equal(1, await Delayed.CountDelayedAsync(topic));
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.AckAsync(delivery));

        var again = await PollUntilReceivedAsync(consumer, topic, Wait);
        Assert.True(DateTimeOffset.UtcNow >= due - TimeSpan.FromMilliseconds(5), "a message released for later came back before it was due");
        Assert.Equal("retry-me", again.Message);
        Assert.True(again.Redelivered);
        await consumer.AckAsync(again);
        Assert.Equal(new QueueStats(topic, 0, 0), await Queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task A_thousand_messages_due_together_reach_three_promoting_consumers_exactly_once()
    {
        var topic = FreshTopic();
        const int count = 1000;
        var due = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Delayed.PushAsync(topic, $"m{i}", due)));
        var received = new ConcurrentBag<string>();
        var consuming = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            await using var consumer = Queue.CreateConsumer(topic);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (received.Count < count && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Delayed.PromoteDueAsync(topic, 100);
                foreach (var delivery in await consumer.ReceiveManyAsync(50, TimeSpan.FromMilliseconds(50)))
                {
                    received.Add(delivery.Message);
                    await consumer.AckAsync(delivery);
                }
            }
        })).ToArray();
        await Task.WhenAll(consuming);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i}").Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
        Assert.Equal(0, await Delayed.CountDelayedAsync(topic));
    }
}
