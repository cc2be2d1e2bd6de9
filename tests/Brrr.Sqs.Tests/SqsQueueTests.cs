using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Microsoft.Extensions.Logging;

namespace Brrr.Sqs.Tests;

/// <summary>What the SQS queue does beyond the contract: queue names, visibility, long delays, batching, bad input.</summary>
[Collection(FauxqsCollection.Name)]
public sealed class SqsQueueTests(FauxqsServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly AmazonSQSClient _raw = Fauxqs.Client(server);
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        _raw.Dispose();
    }

    private static string FreshTopic() => "sqs-" + Guid.NewGuid().ToString("N");

    private SqsQueue Queue(Func<SqsQueueSettings, SqsQueueSettings>? change = null)
    {
        var queue = Fauxqs.Queue(server, change);
        _owned.Add(queue);
        return queue;
    }

    private async Task<string> UrlAsync(string queueName) => (await _raw.GetQueueUrlAsync(queueName)).QueueUrl;

    [Fact]
    public async Task A_topic_lives_in_the_prefixed_queue_and_its_dead_letters_in_the_dead_letters_queue()
    {
        var topic = FreshTopic();
        var queue = Queue();
        await queue.PushAsync(topic, "job");
        await queue.PushAsync(DeadLetter.TopicOf(topic, ":dead-letters"), "letter");

        var jobs = await _raw.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await UrlAsync("brrr-" + topic), WaitTimeSeconds = 1 });
        Assert.Equal("job", Assert.Single(jobs.Messages).Body);
        var letters = await _raw.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await UrlAsync($"brrr-{topic}-dead-letters"), WaitTimeSeconds = 1 });
        Assert.Equal("letter", Assert.Single(letters.Messages).Body);
    }

    [Fact]
    public async Task Queue_names_set_per_topic_win_over_the_prefix_and_a_name_too_long_for_sqs_is_refused_with_the_fix()
    {
        var topic = FreshTopic();
        var chosen = "chosen-" + Guid.NewGuid().ToString("N");
        var queue = Queue(s => s with { QueueNames = new Dictionary<string, string> { [topic] = chosen } });
        await queue.PushAsync(topic, "here");
        var received = await _raw.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = await UrlAsync(chosen), WaitTimeSeconds = 1 });
        Assert.Equal("here", Assert.Single(received.Messages).Body);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => queue.PushAsync(new string('t', 80), "lost?"));
        Assert.Contains("brrr.sqs.queue-names", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SqsQueueSettings.Default with { QueueNames = new Dictionary<string, string> { ["t"] = "not a name" } });
    }

    [Fact]
    public async Task Without_create_queues_a_missing_queue_is_an_error_naming_it_and_stats_of_it_read_zero()
    {
        var topic = FreshTopic();
        var queue = Queue(s => s with { CreateQueues = false });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.PushAsync(topic, "nowhere"));
        Assert.Contains("brrr-" + topic, error.Message, StringComparison.Ordinal);
        Assert.Contains("create-queues", error.Message, StringComparison.Ordinal);
        Assert.Equal(new QueueStats(topic, 0, 0), await queue.GetStatsAsync(topic));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _raw.GetQueueUrlAsync("brrr-" + topic));

        await Queue().PushAsync(topic, "now it exists");
        await queue.PushAsync(topic, "and is used");
        Assert.Equal(new QueueStats(topic, 2, 0), await queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task A_message_held_longer_than_the_visibility_timeout_stays_with_its_consumer()
    {
        var topic = FreshTopic();
        var queue = Queue(s => s with { VisibilityTimeout = TimeSpan.FromSeconds(2) });
        await queue.PushAsync(topic, "long call");
        await using var holder = queue.CreateConsumer(topic);
        await using var other = queue.CreateConsumer(topic);
        var delivery = await holder.ReceiveAsync(Wait);
        Assert.NotNull(delivery);

        // Three visibility timeouts: without extensions the message would be visible again twice.
        var watched = DateTime.UtcNow;
        while (DateTime.UtcNow - watched < TimeSpan.FromSeconds(6))
        {
            Assert.Null(await other.ReceiveAsync(TimeSpan.FromSeconds(1)));
        }

        await holder.AckAsync(delivery);
        Assert.Equal(new QueueStats(topic, 0, 0), await queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task Acknowledgements_racing_the_visibility_extension_raise_no_warning()
    {
        var topic = FreshTopic();
        using var logs = new CapturedLogs();
        await using var queue = SqsQueue.Create(Fauxqs.Settings(server) with { VisibilityTimeout = TimeSpan.FromSeconds(2) }, Fauxqs.Credentials, logs);
        await Task.WhenAll(Enumerable.Range(0, 600).Select(i => queue.PushAsync(topic, $"m{i}")));
        await using var consumer = queue.CreateConsumer(topic);
        var held = new List<QueueDelivery>();
        while (held.Count < 600)
        {
            held.AddRange(await consumer.ReceiveManyAsync(600 - held.Count, Wait));
        }

        // One acknowledgement every 10 ms for 6 s: several extensions (every 667 ms) run while messages they took
        // are being deleted. A message acknowledged meanwhile is no failure to extend.
        foreach (var delivery in held)
        {
            await consumer.AckAsync(delivery);
            await Task.Delay(10);
        }

        Assert.Equal(new QueueStats(topic, 0, 0), await queue.GetStatsAsync(topic));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task The_messages_of_a_consumer_whose_process_died_come_back_redelivered_after_the_visibility_timeout()
    {
        var topic = FreshTopic();
        var dying = Fauxqs.Queue(server, s => s with { VisibilityTimeout = TimeSpan.FromSeconds(2) });
        await dying.PushAsync(topic, "orphan");
        var consumer = dying.CreateConsumer(topic);
        Assert.Equal("orphan", (await consumer.ReceiveAsync(Wait))?.Message);

        // The process is gone: its client is closed, so nothing extends or gives back the message.
        await dying.DisposeAsync();
        await using var survivor = Queue().CreateConsumer(topic);
        var delivery = await survivor.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(delivery);
        Assert.Equal("orphan", delivery.Message);
        Assert.True(delivery.Redelivered);
        await survivor.AckAsync(delivery);
    }

    [Fact]
    public async Task A_message_due_after_sqs_longest_delay_is_sent_on_by_the_consumer_that_receives_it_early()
    {
        var topic = FreshTopic();
        var queue = Queue();
        var url = await queue.UrlAsync(topic, CancellationToken.None);
        var due = DateTimeOffset.UtcNow + TimeSpan.FromHours(1);

        // As SQS delivers it after 15 minutes: carrying its due time, visible now.
        await _raw.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "in an hour",
            MessageAttributes = new() { [SqsQueue.NotBeforeAttribute] = new MessageAttributeValue { DataType = "Number", StringValue = due.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) } },
        });
        await using var consumer = queue.CreateConsumer(topic);
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(1, await queue.CountDelayedAsync(topic));
        Assert.Equal(new QueueStats(topic, 0, 0), await queue.GetStatsAsync(topic));

        // A due time already past is delivered at once.
        await _raw.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "overdue",
            MessageAttributes = new() { [SqsQueue.NotBeforeAttribute] = new MessageAttributeValue { DataType = "Number", StringValue = "1" } },
        });
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.Equal("overdue", delivery?.Message);
    }

    [Fact]
    public async Task Concurrent_pushes_leave_in_batches_of_up_to_ten()
    {
        var topic = FreshTopic();
        using var counting = new CountingClient(server);
        await using var queue = new SqsQueue(counting, Fauxqs.Settings(server));
        await queue.PushAsync(topic, "creates the queue");
        var before = counting.Batches;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => queue.PushAsync(topic, $"m{i}")));
        var requests = counting.Batches - before;
        Assert.InRange(requests, 20, 199);
        Assert.Equal(new QueueStats(topic, 201, 0), await queue.GetStatsAsync(topic));
    }

    [Fact]
    public async Task An_idle_receive_is_one_long_poll_billed_once()
    {
        var topic = FreshTopic();
        using var counting = new CountingClient(server);
        await using var queue = new SqsQueue(counting, Fauxqs.Settings(server));
        await using var consumer = queue.CreateConsumer(topic);
        Assert.Empty(await consumer.ReceiveManyAsync(10, TimeSpan.FromSeconds(1)));
        Assert.Empty(await consumer.ReceiveManyAsync(10, TimeSpan.FromSeconds(2)));
        Assert.True(counting.Receives <= 2, $"two idle receives made {counting.Receives} ReceiveMessage requests");
    }

    [Fact]
    public async Task An_oversized_message_or_one_sqs_cannot_carry_is_refused_before_sending_with_the_topic_named()
    {
        var topic = FreshTopic();
        var queue = Queue(s => s with { MaxMessageBytes = 1000 });
        var big = await Assert.ThrowsAsync<ArgumentException>(() => queue.PushAsync(topic, new string('x', 1001)));
        Assert.Contains(topic, big.Message, StringComparison.Ordinal);
        Assert.Contains("1001 bytes", big.Message, StringComparison.Ordinal);
        var control = await Assert.ThrowsAsync<ArgumentException>(() => queue.PushAsync(topic, "nul\0byte"));
        Assert.Contains("U+0000", control.Message, StringComparison.Ordinal);
        var lone = await Assert.ThrowsAsync<ArgumentException>(() => queue.PushAsync(topic, "half \uD800 pair"));
        Assert.Contains("U+D800", lone.Message, StringComparison.Ordinal);

        // Characters above U+FFFF are valid on SQS but fauxqs refuses them, so the accepted text stays in the BMP.
        await queue.PushAsync(topic, "tab\tand r\u00F6\u00F6t \u20AC");
        Assert.Equal(new QueueStats(topic, 1, 0), await queue.GetStatsAsync(topic));
        await using var consumer = queue.CreateConsumer(topic);
        Assert.Equal("tab\tand r\u00F6\u00F6t \u20AC", (await consumer.ReceiveAsync(Wait))?.Message);
    }

    [Fact]
    public async Task Acknowledging_or_releasing_a_delivery_the_consumer_does_not_hold_is_an_error()
    {
        var topic = FreshTopic();
        var queue = Queue();
        await queue.PushAsync(topic, "once");
        await using var consumer = queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        await consumer.AckAsync(delivery);
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.AckAsync(delivery));
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.ReleaseAsync(delivery));
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.AckAsync(delivery with { }));
    }

    [Fact]
    public async Task Messages_taken_before_a_receive_fails_are_delivered_not_left_held_by_nobody()
    {
        var topic = FreshTopic();
        using var client = new FailingSecondReceiveClient(server);
        await using var queue = new SqsQueue(client, Fauxqs.Settings(server) with { VisibilityTimeout = TimeSpan.FromSeconds(2) });
        await Task.WhenAll(Enumerable.Range(0, 15).Select(i => queue.PushAsync(topic, $"m{i}")));
        await using var consumer = queue.CreateConsumer(topic);

        // The first receive gives a full batch of 10; the one that would take more fails.
        var batch = await consumer.ReceiveManyAsync(15, Wait);
        Assert.Equal(10, batch.Count);
        foreach (var delivery in batch)
        {
            await consumer.AckAsync(delivery);
        }

        var rest = new List<QueueDelivery>();
        while (rest.Count < 5)
        {
            rest.AddRange(await consumer.ReceiveManyAsync(15, Wait));
        }

        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"m{i}").Order(StringComparer.Ordinal), batch.Concat(rest).Select(d => d.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_acknowledgement_that_failed_can_be_tried_again_and_deletes_the_message()
    {
        var topic = FreshTopic();
        using var client = new FaultyClient(server) { FailDeletes = 1 };
        await using var queue = new SqsQueue(client, Fauxqs.Settings(server));
        await queue.PushAsync(topic, "done once");
        await using var consumer = queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);

        await Assert.ThrowsAsync<HttpRequestException>(() => consumer.AckAsync(delivery));
        await consumer.AckAsync(delivery);

        Assert.Equal(new QueueStats(topic, 0, 0), await queue.GetStatsAsync(topic));
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.AckAsync(delivery));
    }

    [Fact]
    public async Task A_message_released_for_later_whose_delete_failed_sends_one_copy_when_tried_again()
    {
        var topic = FreshTopic();
        using var client = new FaultyClient(server) { FailDeletes = 1 };
        await using var queue = new SqsQueue(client, Fauxqs.Settings(server));
        await queue.PushAsync(topic, "retry me");
        await using var consumer = (IDelayedQueueConsumer)queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);

        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        await Assert.ThrowsAsync<HttpRequestException>(() => consumer.ReleaseAsync(delivery, due));
        await consumer.ReleaseAsync(delivery, due);

        var again = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(again);
        Assert.True(again.Redelivered);
        await consumer.AckAsync(again);
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Acknowledging_a_message_whose_visibility_ran_out_settles_it_and_leaves_it_to_its_new_consumer()
    {
        var topic = FreshTopic();
        using var client = new FaultyClient(server) { FailVisibilityChanges = true };
        await using var stalled = new SqsQueue(client, Fauxqs.Settings(server) with { VisibilityTimeout = TimeSpan.FromSeconds(2) });
        await stalled.PushAsync(topic, "slow");
        await using var slow = stalled.CreateConsumer(topic);
        var first = await slow.ReceiveAsync(Wait);
        Assert.NotNull(first);

        // The slow consumer cannot extend: the message goes to another consumer once its visibility runs out.
        await using var other = Queue().CreateConsumer(topic);
        var second = await other.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(second);
        Assert.True(second.Redelivered);

        await slow.AckAsync(first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => slow.AckAsync(first));
        await other.AckAsync(second);
        Assert.Equal(new QueueStats(topic, 0, 0), await stalled.GetStatsAsync(topic));
    }

    /// <summary>A real client to the fixture's fauxqs that counts its SendMessageBatch and ReceiveMessage requests.</summary>
    private sealed class CountingClient(FauxqsServer server)
        : AmazonSQSClient(Fauxqs.Credentials, new AmazonSQSConfig { ServiceURL = server.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1" })
    {
        private int _batches;
        private int _receives;

        public int Batches => Volatile.Read(ref _batches);

        public int Receives => Volatile.Read(ref _receives);

        public override Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _receives);
            return base.ReceiveMessageAsync(request, cancellationToken);
        }

        public override Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _batches);
            return base.SendMessageBatchAsync(request, cancellationToken);
        }
    }

    /// <summary>A real client to the fixture's fauxqs whose second ReceiveMessage fails, as a network error would.</summary>
    private sealed class FailingSecondReceiveClient(FauxqsServer server)
        : AmazonSQSClient(Fauxqs.Credentials, new AmazonSQSConfig { ServiceURL = server.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1" })
    {
        private int _receives;

        public override Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _receives) == 2
                ? throw new HttpRequestException("the connection was reset")
                : base.ReceiveMessageAsync(request, cancellationToken);
    }

    /// <summary>A real client to the fixture's fauxqs whose first deletes fail, or whose visibility changes all fail, as a network error would.</summary>
    private sealed class FaultyClient(FauxqsServer server)
        : AmazonSQSClient(Fauxqs.Credentials, new AmazonSQSConfig { ServiceURL = server.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1" })
    {
        private int _deletesToFail = -1;

        public int FailDeletes
        {
            init => _deletesToFail = value;
        }

        public bool FailVisibilityChanges { get; init; }

        public override Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _deletesToFail) >= 0
                ? throw new HttpRequestException("the connection was reset")
                : base.DeleteMessageBatchAsync(request, cancellationToken);

        public override Task<ChangeMessageVisibilityBatchResponse> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, CancellationToken cancellationToken = default) =>
            FailVisibilityChanges
                ? throw new HttpRequestException("the connection was reset")
                : base.ChangeMessageVisibilityBatchAsync(request, cancellationToken);
    }
}
