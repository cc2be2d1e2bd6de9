using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Tasks;

namespace Brrr.Tests;

public sealed class BoundedCacheTests
{
    private sealed record Arg(int X);

    [Fact]
    public void A_cache_keeps_two_generations_of_its_capacity_and_drops_the_older_one_when_the_newer_is_full()
    {
        var cache = new BoundedCache<byte[]>(2);
        cache.Put("a", [1]);
        cache.Put("b", [2]);
        cache.Put("c", [3]);
        Assert.Equal(new byte[] { 1 }, cache.Get("a"));

        // "a" moved back into the current generation {c, a}, which turned full: {a, b} ("b" unused) is dropped.
        Assert.Null(cache.Get("b"));
        Assert.Equal(new byte[] { 3 }, cache.Get("c"));
        cache.Put("d", [4]);
        cache.Put("e", [5]);
        cache.Put("f", [6]);
        Assert.Null(cache.Get("c"));
        Assert.Equal(new byte[] { 6 }, cache.Get("f"));
    }

    [Fact]
    public void A_record_used_from_the_older_generation_survives_the_next_turn()
    {
        var cache = new BoundedCache<byte[]>(2);
        cache.Put("a", [1]);
        cache.Put("b", [2]);
        Assert.Equal(new byte[] { 1 }, cache.Get("a"));
        cache.Put("c", [3]);
        Assert.Equal(new byte[] { 1 }, cache.Get("a"));
        Assert.Null(cache.Get("b"));
    }

    [Fact]
    public void A_cache_of_capacity_zero_keeps_nothing()
    {
        var cache = new BoundedCache<byte[]>(0);
        cache.Put("a", [1]);
        Assert.Null(cache.Get("a"));
    }

    [Fact]
    public async Task A_parent_re_run_reads_a_child_value_this_process_stored_without_the_store()
    {
        var store = new InMemoryStore();
        var queue = new InMemoryQueue();
        var client = new BrrrClient(store, new InMemoryCache(), queue);
        var processor = new CallProcessor(client.Memory, client.Jobs, JsonCodec.Default, new BoundedCache<byte[]>(100));
        var child = BrrrTask.Create<Arg, int>("child", (_, a) => Task.FromResult(a.X * 2));
        var parent = BrrrTask.Create<Arg, int>("parent", async (ctx, a) => await ctx.Call(child, a) + 1);
        var childCall = JsonCodec.Default.EncodeCall("child", new Arg(20));
        await processor.ReturnValueAsync(childCall.CallHash, JsonCodec.Default.EncodeReturn(40));
        await store.DeleteAsync(MemKey.ValueOf(childCall.CallHash));

        await client.ScheduleAsync(parent, new Arg(20), "t");
        await using var consumer = queue.CreateConsumer("t");
        var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5));
        var outcome = await processor.HandleAsync(delivery!, new TaskSet(parent, child));

        Assert.Equal("41", System.Text.Encoding.UTF8.GetString(Assert.IsType<CallCompleted>(outcome).Value));
    }
}
