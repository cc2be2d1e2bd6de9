using Brrr.Backends;

namespace Brrr.Contracts;

/// <summary>
/// The conformance suite of <see cref="IQueueAdmin"/>: every queue backend that implements it subclasses this unchanged.
/// Each test uses fresh topic names, so one server can serve every test.
/// </summary>
public abstract class QueueAdminContract
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly Lazy<IQueue> _queue;

    /// <summary>Sets up the suite; the backend is created once, on first use.</summary>
    protected QueueAdminContract() => _queue = new Lazy<IQueue>(CreateQueue, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The queue under test.</summary>
    protected IQueue Queue => _queue.Value;

    /// <summary>The queue under test as an admin.</summary>
    protected IQueueAdmin Admin => Queue as IQueueAdmin ?? throw new InvalidOperationException($"{Queue.GetType().Name} is no IQueueAdmin.");

    /// <summary>Creates the queue under test.</summary>
    protected abstract IQueue CreateQueue();

    /// <summary>A topic no other test uses.</summary>
    protected static string FreshTopic() => "admin-topic-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Delayed_messages_are_listed_earliest_first_with_their_due_time_and_their_topic_is_listed()
    {
        var topic = FreshTopic();
        var delayed = Assert.IsAssignableFrom<IDelayedQueue>(Queue);
        var admin = Assert.IsAssignableFrom<IDelayedQueueAdmin>(Queue);
        var now = DateTimeOffset.UtcNow;
        var late = now.AddHours(2);
        var early = now.AddHours(1);
        await delayed.PushAsync(topic, "late", late);
        await delayed.PushAsync(topic, "early", early);
        await delayed.PushAsync(topic, "early", early.AddMinutes(1));

        Assert.Contains(topic, await Admin.ListTopicsAsync());
        var listed = await admin.PeekDelayedAsync(topic, 0, 10);
        Assert.Equal(["early", "early", "late"], listed.Select(d => d.Message));
        Assert.Equal(
            [early.ToUnixTimeMilliseconds(), early.AddMinutes(1).ToUnixTimeMilliseconds(), late.ToUnixTimeMilliseconds()],
            listed.Select(d => d.NotBefore.ToUnixTimeMilliseconds()));
        Assert.All(listed, d => Assert.False(d.Redelivered));
        Assert.Equal(["late"], (await admin.PeekDelayedAsync(topic, 2, 10)).Select(d => d.Message));
        Assert.Empty(await Admin.PeekAsync(topic, 0, 10));

        // A retry given back for later is listed as one.
        await Queue.PushAsync(topic, "retry me");
        var consumer = Assert.IsAssignableFrom<IDelayedQueueConsumer>(Queue.CreateConsumer(topic));
        await using (consumer)
        {
            var held = await consumer.ReceiveAsync(Wait);
            Assert.Equal("retry me", held?.Message);
            await consumer.ReleaseAsync(held!, now.AddMinutes(30));
        }

        var retry = (await admin.PeekDelayedAsync(topic, 0, 1)).Single();
        Assert.Equal(("retry me", true), (retry.Message, retry.Redelivered));
    }

    [Fact]
    public async Task Peek_shows_the_waiting_messages_in_delivery_order_without_taking_them()
    {
        var topic = FreshTopic();
        foreach (var m in new[] { "a", "b", "c", "d" })
        {
            await Queue.PushAsync(topic, m);
        }

        Assert.Equal(["a", "b", "c", "d"], await Admin.PeekAsync(topic, 0, 10));
        Assert.Equal(["b", "c"], await Admin.PeekAsync(topic, 1, 2));
        Assert.Empty(await Admin.PeekAsync(topic, 4, 10));
        Assert.Equal(4, (await Queue.GetStatsAsync(topic)).Waiting);

        await using var consumer = Queue.CreateConsumer(topic);
        var first = await consumer.ReceiveAsync(Wait);
        Assert.Equal("a", first?.Message);
        await consumer.AckAsync(first!);
    }

    [Fact]
    public async Task A_topic_snapshot_names_each_consumer_with_what_it_holds()
    {
        var topic = FreshTopic();
        await Queue.PushAsync(topic, "one");
        await Queue.PushAsync(topic, "two");
        await Queue.PushAsync(topic, "three");
        await using var holder = Queue.CreateConsumer(topic);
        var held = await holder.ReceiveAsync(Wait);
        Assert.NotNull(held);

        var snapshot = await Admin.GetTopicAsync(topic);
        Assert.Equal(topic, snapshot.Topic);
        Assert.Equal(2, snapshot.Waiting);
        Assert.Equal(1, snapshot.InFlight);
        var consumer = Assert.Single(snapshot.Consumers, c => c.Held > 0);
        Assert.True(consumer.Alive);
        Assert.Equal(["one"], await Admin.GetHeldAsync(topic, consumer.Id));
        Assert.Empty(await Admin.GetHeldAsync(topic, "no-such-consumer"));

        await holder.AckAsync(held);
        var after = await Admin.GetTopicAsync(topic);
        Assert.Equal(0, after.InFlight);
        Assert.Empty(await Admin.GetHeldAsync(topic, consumer.Id));
    }

    [Fact]
    public async Task Remove_takes_out_only_the_copies_asked_for_and_says_how_many()
    {
        var topic = FreshTopic();
        foreach (var m in new[] { "x", "keep", "x", "x", "keep" })
        {
            await Queue.PushAsync(topic, m);
        }

        Assert.Equal(2, await Admin.RemoveWaitingAsync(topic, "x", 2));
        Assert.Equal(["keep", "x", "keep"], await Admin.PeekAsync(topic, 0, 10));
        Assert.Equal(0, await Admin.RemoveWaitingAsync(topic, "absent", 5));
        Assert.Equal(1, await Admin.RemoveWaitingAsync(topic, "x", 10));
        Assert.Equal(["keep", "keep"], await Admin.PeekAsync(topic, 0, 10));

        // What is left is delivered as usual, and nothing removed comes back.
        await using var consumer = Queue.CreateConsumer(topic);
        for (var i = 0; i < 2; i++)
        {
            var delivery = await consumer.ReceiveAsync(Wait);
            Assert.Equal("keep", delivery?.Message);
            await consumer.AckAsync(delivery!);
        }

        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task The_topic_list_holds_topics_with_waiting_messages_or_consumers()
    {
        var waiting = FreshTopic();
        var consumed = FreshTopic();
        var unused = FreshTopic();
        await Queue.PushAsync(waiting, "m");
        await using var consumer = Queue.CreateConsumer(consumed);
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(50)));

        var topics = await Admin.ListTopicsAsync();
        Assert.Contains(waiting, topics);
        Assert.Contains(consumed, topics);
        Assert.DoesNotContain(unused, topics);
        Assert.Equal(topics.Order(StringComparer.Ordinal), topics);
    }
}
