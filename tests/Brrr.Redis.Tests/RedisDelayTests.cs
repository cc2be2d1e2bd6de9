using System.Diagnostics;
using System.Text;
using Brrr.Backends;
using Brrr.Contracts.Servers;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>
/// Delayed messages on Redis: what a reference worker (a plain <c>BLPOP</c> on the topic list) sees, the key and member
/// layout, and that a delayed message survives a dead consumer and a Redis restart.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisDelayTests(RedisFixture redis)
{
    private static readonly TimeSpan Patience = UntilRedisIsBack.Patience;

    [Theory]
    [InlineData(RedisLayout.Current)]
    [InlineData(RedisLayout.Legacy)]
    public async Task A_reference_style_blpop_on_the_topic_list_sees_nothing_before_due_and_the_exact_bytes_after(RedisLayout layout)
    {
        var queue = redis.For(layout).Queue;
        var topic = "delay-ref-" + Guid.NewGuid().ToString("N");
        var keys = RedisFixture.KeysOf(layout);
        const string message = "li2e6:rööt1:he";
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        await queue.PushAsync(topic, message, due);

        // The delayed set is hash-tagged with the list, and each member is 32 hex digits, a flag, then the message.
        var members = await redis.Raw.SortedSetRangeByRankWithScoresAsync(keys.Delayed(topic));
        var member = (byte[])Assert.Single(members).Element!;
        Assert.Equal($"{{{keys.Topic(topic)}}}:brrr:delayed", keys.Delayed(topic).ToString());
        Assert.Matches("^[0-9a-f]{32}n$", Encoding.ASCII.GetString(member, 0, 33));
        Assert.Equal(Encoding.UTF8.GetBytes(message), member[33..]);
        Assert.Equal(due.ToUnixTimeMilliseconds(), (long)Assert.Single(members).Score);

        await using var reference = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        var blocking = reference.GetDatabase();
        while (DateTimeOffset.UtcNow < due - TimeSpan.FromMilliseconds(300))
        {
            // A worker promoting all the while moves nothing early, and the reference pop finds the list empty.
            Assert.Equal(0, await queue.PromoteDueAsync(topic, 100));
            var popped = await blocking.ExecuteAsync("BLPOP", keys.Topic(topic), "0.1");
            Assert.True(popped.IsNull || DateTimeOffset.UtcNow >= due, "a reference worker popped a delayed message before it was due");
        }

        var clock = Stopwatch.StartNew();
        RedisResult result;
        do
        {
            await queue.PromoteDueAsync(topic, 100);
            result = await blocking.ExecuteAsync("BLPOP", keys.Topic(topic), "0.1");
        }
        while (result.IsNull && clock.Elapsed < Patience);

        Assert.False(result.IsNull, "the due message never reached the topic list");
        Assert.True(DateTimeOffset.UtcNow >= due - TimeSpan.FromMilliseconds(5), "the message reached the list before it was due");
        var pair = (RedisResult[])result!;
        Assert.Equal(keys.Topic(topic), pair[0].ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(message), (byte[])pair[1]!);
        Assert.Equal(0, await queue.CountDelayedAsync(topic));
    }

    [Fact]
    public async Task A_retry_delayed_by_a_consumer_that_is_then_killed_is_delivered_to_another_consumer_once_due()
    {
        var queue = redis.Brrr.Queue;
        var topic = "delay-kill-" + Guid.NewGuid().ToString("N");
        await queue.PushAsync(topic, "retried");
        await queue.PushAsync(topic, "scheduled-later", DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(700));
        var dying = (RedisQueueConsumer)queue.CreateConsumer(topic);
        var delivery = await dying.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("retried", delivery?.Message);
        await dying.ReleaseAsync(delivery!, DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(700));
        await dying.AbandonAsync();

        await using var other = queue.CreateConsumer(topic);
        var received = new List<QueueDelivery>();
        var clock = Stopwatch.StartNew();
        while (received.Count < 2 && clock.Elapsed < Patience)
        {
            await queue.PromoteDueAsync(topic, 100);
            if (await other.ReceiveAsync(TimeSpan.FromMilliseconds(100)) is { } next)
            {
                received.Add(next);
                await other.AckAsync(next);
            }
        }

        Assert.Equal(["retried", "scheduled-later"], received.Select(d => d.Message).Order(StringComparer.Ordinal));
        Assert.True(received.Single(d => d.Message == "retried").Redelivered);
        Assert.False(received.Single(d => d.Message == "scheduled-later").Redelivered);
        Assert.Null(await other.ReceiveAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Delayed_messages_survive_a_redis_restart_with_an_append_only_file()
    {
        using var server = RedisServer.Start(persistent: true);
        await using var brrr = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(server.Configuration));
        var queue = brrr.Queue;
        const string topic = "delay-restart";
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        await queue.PushAsync(topic, "pushed-later", due);
        await using (var consumer = queue.CreateConsumer(topic))
        {
            await queue.PushAsync(topic, "retried");
            var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("retried", delivery?.Message);
            await ((IDelayedQueueConsumer)consumer).ReleaseAsync(delivery!, due);
        }

        server.Kill();
        server.Restart();
        var count = await UntilRedisIsBack.RetryAsync(() => queue.CountDelayedAsync(topic), _ => true);
        Assert.Equal(2, count);

        await using var after = queue.CreateConsumer(topic);
        var received = new List<QueueDelivery>();
        var clock = Stopwatch.StartNew();
        while (received.Count < 2 && clock.Elapsed < Patience)
        {
            await UntilRedisIsBack.RetryAsync(() => queue.PromoteDueAsync(topic, 100), _ => true);
            if (await UntilRedisIsBack.RetryAsync(() => after.ReceiveAsync(TimeSpan.FromMilliseconds(100)), _ => true) is { } next)
            {
                received.Add(next);
                await after.AckAsync(next);
            }
        }

        Assert.Equal(["pushed-later", "retried"], received.Select(d => d.Message).Order(StringComparer.Ordinal));
        Assert.True(received.Single(d => d.Message == "retried").Redelivered);
    }
}
