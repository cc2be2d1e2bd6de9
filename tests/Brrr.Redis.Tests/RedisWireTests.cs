using System.Text;
using Brrr.Protocol;

namespace Brrr.Redis.Tests;

/// <summary>What other workers see on the wire: plain lists named by topic, store keys in the shared layout.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisWireTests(RedisFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    // PROTOCOL.md §7: ScheduleMessage("rööt", "h").
    private const string RootWithUmlautsVector = "6c693265363a72c3b6c3b674313a6865";

    private static string FreshTopic() => "wire-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_message_pushed_with_a_raw_RPUSH_is_received_unchanged()
    {
        var topic = FreshTopic();
        await redis.Raw.ListRightPushAsync(topic, Convert.FromHexString(RootWithUmlautsVector));
        await using var consumer = redis.Brrr.Queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        Assert.Equal("li2e6:rööt1:he", delivery.Message);
        Assert.Equal(new ScheduleMessage("rööt", "h"), ScheduleMessage.FromWire(delivery.Message));
        Assert.False(delivery.Redelivered);
        await consumer.AckAsync(delivery);
    }

    [Fact]
    public async Task What_the_queue_and_put_job_push_is_the_protocol_vector_popped_with_a_raw_LPOP_on_the_topic_key()
    {
        var topic = FreshTopic();
        var jobs = new Jobs(redis.Brrr.Cache, redis.Brrr.Queue);
        Assert.True(jobs.CountsAndPushesAtOnce);
        await redis.Brrr.Queue.PushAsync(topic, new ScheduleMessage("r00t", "c4llh4sh").ToWire());
        await jobs.PutAsync(topic, new ScheduleMessage("rööt", "h"));
        await redis.Brrr.Queue.PushAsync(topic, "second");

        byte[]? first = await redis.Raw.ListLeftPopAsync(topic);
        Assert.Equal("li2e4:r00t8:c4llh4she"u8.ToArray(), first);
        var decoded = ScheduleMessage.Decode(first);
        Assert.Equal("r00t", decoded.RootId);
        Assert.Equal("c4llh4sh", decoded.CallHash);

        byte[]? put = await redis.Raw.ListLeftPopAsync(topic);
        Assert.NotNull(put);
        Assert.Equal(RootWithUmlautsVector, Convert.ToHexStringLower(put));
        decoded = ScheduleMessage.Decode(put);
        Assert.Equal("rööt", decoded.RootId);
        Assert.Equal("h", decoded.CallHash);

        Assert.Equal("second", (string?)await redis.Raw.ListLeftPopAsync(topic));
        Assert.True((await redis.Raw.ListLeftPopAsync(topic)).IsNull);
    }

    [Fact]
    public async Task A_message_that_is_not_UTF_8_is_released_and_acknowledged_by_its_exact_bytes()
    {
        var topic = FreshTopic();
        byte[] garbage = [0xFF, 0xFE, 0x00, 0xC3, 0x28];
        var consumer = (RedisQueueConsumer)redis.Brrr.Queue.CreateConsumer(topic);
        await using var _ = consumer;
        var inFlight = $"{{{topic}}}:brrr:inflight:{consumer.Id}";

        // The first arrives through the blocking move (the topic is empty when the receive starts), the second
        // through the receive script: both keep the bytes.
        var receiving = consumer.ReceiveAsync(Wait);
        await redis.Raw.ListRightPushAsync(topic, garbage);
        var blocked = await receiving;
        Assert.NotNull(blocked);
        Assert.Equal(Encoding.UTF8.GetString(garbage), blocked.Message);
        await consumer.ReleaseAsync(blocked);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(inFlight));
        Assert.Equal(garbage, (byte[]?)await redis.Raw.ListGetByIndexAsync(topic, 0));

        var again = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(again);
        Assert.True(again.Redelivered);
        await consumer.AckAsync(again);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(inFlight));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(topic));
        Assert.False(await redis.Raw.KeyExistsAsync($"{{{topic}}}:brrr:redelivered"));
    }

    [Fact]
    public async Task A_received_message_sits_in_the_consumers_in_flight_list_until_acknowledged()
    {
        var topic = FreshTopic();
        await redis.Brrr.Queue.PushAsync(topic, "held");
        var consumer = (RedisQueueConsumer)redis.Brrr.Queue.CreateConsumer(topic);
        await using var _ = consumer;
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        var inFlight = $"{{{topic}}}:brrr:inflight:{consumer.Id}";
        Assert.Equal(["held"], (await redis.Raw.ListRangeAsync(inFlight)).Select(v => v.ToString()));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(topic));
        Assert.True(await redis.Raw.SetContainsAsync($"{{{topic}}}:brrr:consumers", consumer.Id));
        await consumer.AckAsync(delivery);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(inFlight));
    }

    [Fact]
    public async Task Store_keys_are_the_prefix_the_call_hash_in_braces_and_the_type_word()
    {
        var hash = "wire-" + Guid.NewGuid().ToString("N");
        await redis.Brrr.Store.SetAsync(MemKey.ValueOf(hash), Encoding.UTF8.GetBytes("v"));
        await redis.Brrr.Store.SetAsync(MemKey.CallOf(hash), Encoding.UTF8.GetBytes("c"));
        await redis.Brrr.Store.SetAsync(MemKey.PendingReturnsOf(hash), Encoding.UTF8.GetBytes("p"));
        Assert.Equal("v", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:value"));
        Assert.Equal("c", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:call"));
        Assert.Equal("p", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:pending_returns"));
    }

    [Fact]
    public async Task Counters_live_at_exactly_the_given_key()
    {
        var key = "brrr/count/wire-" + Guid.NewGuid().ToString("N");
        await redis.Brrr.Cache.IncrAsync(key);
        await redis.Brrr.Cache.IncrAsync(key);
        Assert.Equal(2, (long)await redis.Raw.StringGetAsync(key));
    }
}
