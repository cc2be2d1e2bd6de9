using System.Diagnostics;
using Brrr.Backends;
using Brrr.Contracts.Servers;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>Redis crashes and comes back (append-only file on): nothing pending or acknowledged is lost.</summary>
public sealed class RedisRestartTests
{
    [Fact]
    public async Task After_Redis_is_killed_and_restarted_receive_and_push_work_again_and_no_message_is_lost()
    {
        using var server = RedisServer.Start(persistent: true);
        await using var brrr = await RedisBrrr.ConnectAsync(RedisFixture.FastSettings(server.Configuration));
        var queue = brrr.Queue;
        const string topic = "restart";
        const string waitingTopic = "restart-waiting";

        await queue.PushAsync(topic, "acked");
        await queue.PushAsync(topic, "held");
        await queue.PushAsync(waitingTopic, "w1");
        await queue.PushAsync(waitingTopic, "w2");
        await using var consumer = queue.CreateConsumer(topic);
        var acked = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("acked", acked?.Message);
        await consumer.AckAsync(acked!);
        var held = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("held", held?.Message);

        // The topic is empty now: this receive sits in a blocking move when Redis dies.
        var receiving = consumer.ReceiveAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(300);
        Assert.False(receiving.IsCompleted);
        server.Kill();
        var failure = await Record.ExceptionAsync(() => receiving);
        Assert.True(failure is RedisException or TimeoutException, $"expected a Redis error, got {failure?.GetType().Name ?? "no error"}");

        server.Restart();
        await UntilRedisIsBack.RetryAsync(() => queue.PushAsync(topic, "after-restart"));
        var delivery = await UntilRedisIsBack.RetryAsync(() => consumer.ReceiveAsync(TimeSpan.FromSeconds(2)), d => d is not null);
        Assert.Equal("after-restart", delivery!.Message);
        Assert.False(delivery.Redelivered);
        await consumer.AckAsync(delivery);

        // The message held across the crash is still held by this consumer, and can be acknowledged.
        Assert.Equal(new QueueStats(topic, 0, 1), await queue.GetStatsAsync(topic));
        await consumer.AckAsync(held!);
        Assert.Equal(new QueueStats(topic, 0, 0), await queue.GetStatsAsync(topic));

        // Messages waiting at the crash survived it.
        await using var other = queue.CreateConsumer(waitingTopic);
        Assert.Equal("w1", (await other.ReceiveAsync(TimeSpan.FromSeconds(5)))?.Message);
        Assert.Equal("w2", (await other.ReceiveAsync(TimeSpan.FromSeconds(5)))?.Message);

        // Nothing acknowledged comes back, on this consumer or on a new one.
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.FromMilliseconds(300)));
        await using var late = queue.CreateConsumer(topic);
        Assert.Null(await late.ReceiveAsync(TimeSpan.FromSeconds(1.5)));
    }
}
