using System.Text;
using Brrr.Protocol;

namespace Brrr.Redis.Tests;

/// <summary>
/// What other workers see on the wire, under both Redis layouts (PROTOCOL.md §4, §7): plain lists at the layout's
/// topic key, counters at the layout's counter key, store keys in the shared layout.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisWireTests(RedisFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    // PROTOCOL.md §7: ScheduleMessage("rööt", "h").
    private const string RootWithUmlautsVector = "6c693265363a72c3b6c3b674313a6865";

    private static string FreshTopic() => "wire-" + Guid.NewGuid().ToString("N");

    [Fact]
    public void The_layouts_name_the_protocol_vectors_keys()
    {
        Assert.Equal("brrr/messages/brrr-ts-demo", RedisLayout.Current.TopicList("brrr-ts-demo"));
        Assert.Equal("brrr/count/r00t", RedisLayout.Current.SpawnCounter("r00t"));
        Assert.Equal("brrr-ts-demo", RedisLayout.Legacy.TopicList("brrr-ts-demo"));
        Assert.Equal("brrr_count/r00t", RedisLayout.Legacy.SpawnCounter("r00t"));
        Assert.Equal(RedisLayout.Current, RedisBrrrSettings.Default.Layout);
    }

    [Fact]
    public void Bookkeeping_keys_share_the_cluster_slot_of_their_topic_list()
    {
        foreach (var layout in Enum.GetValues<RedisLayout>())
        {
            var keys = RedisFixture.KeysOf(layout);
            var list = keys.Topic("brrr-ts-demo");
            foreach (var key in new[] { keys.InFlight("brrr-ts-demo", "c1"), keys.Heartbeat("brrr-ts-demo", "c1"), keys.Consumers("brrr-ts-demo"), keys.Redelivered("brrr-ts-demo") })
            {
                Assert.StartsWith("{" + list + "}:brrr:", key.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(RedisLayout.Current, "brrr/messages/")]
    [InlineData(RedisLayout.Legacy, "")]
    public async Task A_message_pushed_with_a_raw_RPUSH_at_the_layouts_list_is_received_unchanged(RedisLayout layout, string listPrefix)
    {
        var topic = FreshTopic();
        await redis.Raw.ListRightPushAsync(listPrefix + topic, Convert.FromHexString(RootWithUmlautsVector));
        await redis.Raw.ListRightPushAsync(listPrefix + topic, "li2e4:r00t8:c4llh4she");
        await using var consumer = redis.For(layout).Queue.CreateConsumer(topic);
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        Assert.Equal("li2e6:rööt1:he", delivery.Message);
        Assert.Equal(new ScheduleMessage("rööt", "h"), ScheduleMessage.FromWire(delivery.Message));
        Assert.False(delivery.Redelivered);
        await consumer.AckAsync(delivery);
        var second = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(second);
        Assert.Equal(new ScheduleMessage("r00t", "c4llh4sh"), ScheduleMessage.FromWire(second.Message));
        await consumer.AckAsync(second);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(listPrefix + topic));
    }

    [Theory]
    [InlineData(RedisLayout.Current, "brrr/messages/", "brrr/count/")]
    [InlineData(RedisLayout.Legacy, "", "brrr_count/")]
    public async Task What_the_queue_and_put_job_push_is_the_protocol_vector_popped_with_a_raw_LPOP_at_the_layouts_keys(RedisLayout layout, string listPrefix, string counterPrefix)
    {
        var topic = FreshTopic();
        var backends = redis.For(layout);
        var jobs = new Jobs(backends.Cache, backends.Queue);
        Assert.True(jobs.CountsAndPushesAtOnce);
        var root = "rööt-" + Guid.NewGuid().ToString("N");
        await backends.Queue.PushAsync(topic, new ScheduleMessage("r00t", "c4llh4sh").ToWire());
        await jobs.PutAsync(topic, new ScheduleMessage("rööt", "h"));
        await jobs.PutAsync(topic, new ScheduleMessage(root, "h"));
        await backends.Queue.PushAsync(topic, "second");

        var list = listPrefix + topic;
        byte[]? first = await redis.Raw.ListLeftPopAsync(list);
        Assert.Equal("li2e4:r00t8:c4llh4she"u8.ToArray(), first);
        var decoded = ScheduleMessage.Decode(first);
        Assert.Equal("r00t", decoded.RootId);
        Assert.Equal("c4llh4sh", decoded.CallHash);

        byte[]? put = await redis.Raw.ListLeftPopAsync(list);
        Assert.NotNull(put);
        Assert.Equal(RootWithUmlautsVector, Convert.ToHexStringLower(put));
        Assert.Equal(new ScheduleMessage(root, "h"), ScheduleMessage.Decode((byte[]?)await redis.Raw.ListLeftPopAsync(list)));
        Assert.Equal("second", (string?)await redis.Raw.ListLeftPopAsync(list));
        Assert.True((await redis.Raw.ListLeftPopAsync(list)).IsNull);

        // Counted where the reference workers of the layout count, and nowhere else.
        Assert.Equal(1, (long)await redis.Raw.StringGetAsync(counterPrefix + root));
        var otherCounter = (layout == RedisLayout.Current ? "brrr_count/" : "brrr/count/") + root;
        Assert.False(await redis.Raw.KeyExistsAsync(otherCounter));
        Assert.False(await redis.Raw.KeyExistsAsync(layout == RedisLayout.Current ? topic : "brrr/messages/" + topic));
    }

    [Theory]
    [InlineData(RedisLayout.Current, "brrr_count/")]
    [InlineData(RedisLayout.Legacy, "brrr/count/")]
    public async Task Counters_live_at_the_layouts_key_only(RedisLayout layout, string otherPrefix)
    {
        var root = "wire-" + Guid.NewGuid().ToString("N");
        await redis.For(layout).Cache.IncrAsync(root);
        await redis.For(layout).Cache.IncrAsync(root);
        Assert.Equal(2, (long)await redis.Raw.StringGetAsync(layout.SpawnCounter(root)));
        Assert.False(await redis.Raw.KeyExistsAsync(otherPrefix + root));
    }

    [Theory]
    [InlineData(RedisLayout.Current)]
    [InlineData(RedisLayout.Legacy)]
    public async Task A_message_that_is_not_UTF_8_is_released_and_acknowledged_by_its_exact_bytes(RedisLayout layout)
    {
        var topic = FreshTopic();
        var keys = RedisFixture.KeysOf(layout);
        byte[] garbage = [0xFF, 0xFE, 0x00, 0xC3, 0x28];
        var consumer = (RedisQueueConsumer)redis.For(layout).Queue.CreateConsumer(topic);
        await using var _ = consumer;
        var inFlight = keys.InFlight(topic, consumer.Id);
        var list = layout.TopicList(topic);

        // The first arrives through the blocking move (the topic is empty when the receive starts), the second
        // through the receive script: both keep the bytes.
        var receiving = consumer.ReceiveAsync(Wait);
        await redis.Raw.ListRightPushAsync(list, garbage);
        var blocked = await receiving;
        Assert.NotNull(blocked);
        Assert.Equal(Encoding.UTF8.GetString(garbage), blocked.Message);
        await consumer.ReleaseAsync(blocked);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(inFlight));
        Assert.Equal(garbage, (byte[]?)await redis.Raw.ListGetByIndexAsync(list, 0));

        var again = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(again);
        Assert.True(again.Redelivered);
        await consumer.AckAsync(again);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(inFlight));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(list));
        Assert.False(await redis.Raw.KeyExistsAsync(keys.Redelivered(topic)));
    }

    [Theory]
    [InlineData(RedisLayout.Current, "{brrr/messages/")]
    [InlineData(RedisLayout.Legacy, "{")]
    public async Task A_received_message_sits_in_the_consumers_in_flight_list_until_acknowledged(RedisLayout layout, string tagStart)
    {
        var topic = FreshTopic();
        await redis.For(layout).Queue.PushAsync(topic, "held");
        var consumer = (RedisQueueConsumer)redis.For(layout).Queue.CreateConsumer(topic);
        await using var _ = consumer;
        var delivery = await consumer.ReceiveAsync(Wait);
        Assert.NotNull(delivery);
        var inFlight = $"{tagStart}{topic}}}:brrr:inflight:{consumer.Id}";
        Assert.Equal(["held"], (await redis.Raw.ListRangeAsync(inFlight)).Select(v => v.ToString()));
        Assert.Equal(0, await redis.Raw.ListLengthAsync(layout.TopicList(topic)));
        Assert.True(await redis.Raw.SetContainsAsync($"{tagStart}{topic}}}:brrr:consumers", consumer.Id));
        Assert.True(await redis.Raw.KeyExistsAsync($"{tagStart}{topic}}}:brrr:heartbeat:{consumer.Id}"));
        await consumer.AckAsync(delivery);
        Assert.Equal(0, await redis.Raw.ListLengthAsync(inFlight));
    }

    [Fact]
    public async Task Store_keys_are_the_prefix_the_call_hash_in_braces_and_the_type_word()
    {
        var hash = "wire-" + Guid.NewGuid().ToString("N");
        await redis.Brrr.Store.SetAsync(MemKey.ValueOf(hash), Encoding.UTF8.GetBytes("v"));
        await redis.Brrr.Store.SetAsync(MemKey.CallOf(hash), Encoding.UTF8.GetBytes("c"));
        await redis.Legacy.Store.SetAsync(MemKey.PendingReturnsOf(hash), Encoding.UTF8.GetBytes("p"));
        Assert.Equal("v", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:value"));
        Assert.Equal("c", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:call"));
        Assert.Equal("p", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:pending_returns"));
        await redis.Brrr.Store.SetAsync(new MemKey(MemKeyType.Children, hash), Encoding.UTF8.GetBytes("k"));
        Assert.Equal("k", (string?)await redis.Raw.StringGetAsync($"brrr:{{{hash}}}:children"));
    }

    [Theory]
    [InlineData(RedisLayout.Current, "")]
    [InlineData(RedisLayout.Legacy, "brrr/messages/")]
    public async Task Messages_waiting_at_the_other_layouts_list_are_reported_naming_both_keys_and_the_setting(RedisLayout layout, string otherPrefix)
    {
        var topic = FreshTopic();
        var queue = redis.For(layout).Queue;
        Assert.Null(await queue.FindLayoutMismatchAsync(topic));
        await queue.PushAsync(topic, "ours");
        Assert.Null(await queue.FindLayoutMismatchAsync(topic));

        await redis.Raw.ListRightPushAsync(otherPrefix + topic, ["theirs-1", "theirs-2"]);
        var mismatch = await queue.FindLayoutMismatchAsync(topic);
        Assert.NotNull(mismatch);
        Assert.Contains($"2 message(s) wait at '{otherPrefix}{topic}'", mismatch, StringComparison.Ordinal);
        Assert.Contains($"reads '{layout.TopicList(topic)}'", mismatch, StringComparison.Ordinal);
        var other = layout == RedisLayout.Current ? RedisLayout.Legacy : RedisLayout.Current;
        Assert.Contains($"set brrr.redis.layout = {other.ConfigName()}", mismatch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_of_another_type_at_the_legacy_name_is_no_mismatch()
    {
        var topic = FreshTopic();
        await redis.Raw.StringSetAsync(topic, "some application's string");
        Assert.Null(await redis.Brrr.Queue.FindLayoutMismatchAsync(topic));
    }
}
