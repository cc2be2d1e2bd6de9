using System.Text;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>The children record: what a deferred call waits on, written with each deferral, for the inspector.</summary>
public sealed class ChildrenRecordTests
{
    public sealed record N(int X);

    private const string Topic = "main";

    [Fact]
    public async Task A_deferral_records_the_missing_children_and_a_later_deferral_replaces_them()
    {
        var store = new InMemoryStore();
        var queue = new InMemoryQueue();
        var client = new BrrrClient(store, new InMemoryCache(), queue);
        var processor = new CallProcessor(client.Memory, client.Jobs, JsonCodec.Default) { RecordsChildren = true };
        var a = BrrrTask.Create<N, int>("a", (_, n) => Task.FromResult(n.X));
        var b = BrrrTask.Create<N, int>("b", (_, n) => Task.FromResult(n.X));
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, n) => await ctx.Call(a, n) + await ctx.Call(b, n));
        var tasks = new TaskSet(parent, a, b);
        var call = await client.ScheduleAsync(parent, new N(4), Topic);
        await using var consumer = queue.CreateConsumer(Topic);

        async Task<CallOutcome> NextAsync()
        {
            var delivery = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
            var outcome = await processor.HandleAsync(delivery, tasks);
            await consumer.AckAsync(delivery);
            return outcome;
        }

        Assert.IsType<CallDeferred>(await NextAsync());
        var first = await client.Memory.GetChildrenAsync(call.CallHash);
        Assert.NotNull(first);
        var root = ScheduleMessage.FromWire((await ((IQueueAdmin)queue).PeekAsync(Topic, 0, 1))[0]).RootId;
        Assert.Equal((call.CallHash, root, 0), (first.CallHash, first.RootId, first.Omitted));
        Assert.Equal([new ChildLink("a", JsonCodec.Default.EncodeCall("a", new N(4)).CallHash, Topic)], first.Children);

        Assert.IsType<CallCompleted>(await NextAsync());
        Assert.IsType<CallDeferred>(await NextAsync());
        var second = await client.Memory.GetChildrenAsync(call.CallHash);
        Assert.Equal(["b"], second!.Children.Select(c => c.TaskName));
        Assert.Null(await client.Memory.GetChildrenAsync(JsonCodec.Default.EncodeCall("a", new N(4)).CallHash));
    }

    [Fact]
    public void A_record_round_trips_and_lists_at_most_its_bound()
    {
        var children = Enumerable.Range(0, ChildrenRecord.MaxChildren + 5)
            .Select(i => new ChildCall(JsonCodec.Default.EncodeCall("leaf", new N(i)), "t"))
            .ToArray();
        var record = ChildrenRecord.Of("h", "r", children, new DateTimeOffset(2026, 12, 4, 1, 2, 3, TimeSpan.Zero));

        var decoded = ChildrenRecord.Decode(record.Encode());

        Assert.Equal(ChildrenRecord.MaxChildren, decoded.Children.Count);
        Assert.Equal(5, decoded.Omitted);
        Assert.Equal(record.Children, decoded.Children);
        Assert.Equal((record.CallHash, record.RootId, record.DeferredAt), (decoded.CallHash, decoded.RootId, decoded.DeferredAt));
    }

    [Fact]
    public void Records_encoded_one_after_another_on_a_thread_are_each_whole()
    {
        // The encoder reuses one buffer per thread: a large record must leave nothing in a small one after it.
        var at = new DateTimeOffset(2026, 12, 4, 1, 2, 3, TimeSpan.Zero);
        var large = ChildrenRecord.Of("big", "r1", [.. Enumerable.Range(0, ChildrenRecord.MaxChildren)
            .Select(i => new ChildCall(JsonCodec.Default.EncodeCall(new string('t', 500), new N(i)), new string('q', 300)))], at);
        var small = ChildrenRecord.Of("h", "r2", [new ChildCall(JsonCodec.Default.EncodeCall("leaf", new N(1)), "t\"\u00e9")], at);

        var largeBytes = large.Encode();
        var smallBytes = small.Encode();

        Assert.Equal(large.Children, ChildrenRecord.Decode(largeBytes).Children);
        var decoded = ChildrenRecord.Decode(smallBytes);
        Assert.Equal(small.Children, decoded.Children);
        Assert.Equal(("h", "r2", at), (decoded.CallHash, decoded.RootId, decoded.DeferredAt));
        Assert.Equal(smallBytes, small.Encode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"call_hash\":\"h\"}")]
    [InlineData("{\"call_hash\":\"h\",\"root_id\":\"r\",\"deferred_at\":\"never\",\"children\":[],\"omitted\":0}")]
    [InlineData("{\"call_hash\":\"h\",\"root_id\":\"r\",\"deferred_at\":\"2026-01-01T00:00:00Z\",\"children\":[{\"task_name\":1}],\"omitted\":0}")]
    public void A_malformed_record_is_a_protocol_error(string text) =>
        Assert.StartsWith("Not a children record", Assert.Throws<ProtocolException>(() => ChildrenRecord.Decode(Encoding.UTF8.GetBytes(text))).Message, StringComparison.Ordinal);
}
