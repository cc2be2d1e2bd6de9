using System.Collections.Concurrent;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>Cascading cancel by root, one message at a time on the in-memory backends.</summary>
public sealed class CancelTests
{
    public sealed record N(int X);

    private const string Topic = "main";
    private readonly InMemoryStore _store = new();
    private readonly InMemoryQueue _queue = new();
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly BrrrClient _client;
    private readonly CallProcessor _processor;
    private readonly BrrrTask<N, int> _leaf;
    private readonly BrrrTask<N, int> _mid;
    private readonly BrrrTask<N, int> _top;
    private readonly BrrrTask<N, int> _fanOut;
    private readonly TaskSet _tasks;
    private Func<Task> _duringLeaf = () => Task.CompletedTask;

    public CancelTests()
    {
        var cache = new InMemoryCache();
        _client = new BrrrClient(_store, cache, _queue);
        _processor = new CallProcessor(_client.Memory, _client.Jobs, JsonCodec.Default, cancelled: new CancelledRoots(cache, TimeSpan.Zero));
        _leaf = BrrrTask.Create<N, int>("leaf", async (_, n) =>
        {
            await _duringLeaf();
            return Ran("leaf", n.X);
        });
        _mid = BrrrTask.Create<N, int>("mid", async (ctx, n) => Ran("mid", await ctx.Call(_leaf, n) + 1));

        // top(tag) calls the same mid(1) whatever its tag: two roots top(1) and top(2) share the subtree mid(1) → leaf(1).
        _top = BrrrTask.Create<N, int>("top", async (ctx, n) => Ran("top", await ctx.Call(_mid, new N(1)) + (n.X * 100)));
        _fanOut = BrrrTask.Create<N, int>("fan-out", async (ctx, n) =>
            Ran("fan-out", (await ctx.Gather(Enumerable.Range(0, n.X).Select(i => ctx.Call(_leaf, new N(i))))).Sum()));
        _tasks = new TaskSet(_leaf, _mid, _top, _fanOut);
    }

    private int Ran(string task, int result)
    {
        _runs.AddOrUpdate(task, 1, (_, n) => n + 1);
        return result;
    }

    private int Runs(string task) => _runs.GetValueOrDefault(task);

    private async Task<List<CallOutcome>> DrainAsync(IQueueConsumer consumer, int? most = null)
    {
        var outcomes = new List<CallOutcome>();
        while (outcomes.Count < (most ?? int.MaxValue) && await consumer.ReceiveAsync(TimeSpan.Zero) is { } delivery)
        {
            outcomes.Add(await _processor.HandleAsync(delivery, _tasks));
            await consumer.AckAsync(delivery);
        }

        return outcomes;
    }

    [Fact]
    public async Task The_jobs_of_a_cancelled_root_are_acknowledged_without_running()
    {
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_fanOut.Name, new N(20)), Topic, "root-a");
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(Assert.Single(await DrainAsync(consumer, most: 1)));

        await _client.CancelAsync("root-a");
        var outcomes = await DrainAsync(consumer);

        Assert.Equal(20, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(new CallCancelled(null), o));
        Assert.Equal(0, Runs("leaf"));
        Assert.Equal(0, (await _queue.GetStatsAsync(Topic)).Waiting);
    }

    [Fact]
    public async Task The_returns_of_a_cancelled_root_are_dropped_when_the_value_is_stored()
    {
        var call = JsonCodec.Default.EncodeCall(_mid.Name, new N(1));
        await _client.ScheduleAsync(call, Topic, "root-a");
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(Assert.Single(await DrainAsync(consumer, most: 1)));

        // The cancel comes while the leaf runs: its value is stored, and its return to mid (root a) is not sent.
        _duringLeaf = () => _client.CancelAsync("root-a");
        Assert.IsType<CallCompleted>(Assert.Single(await DrainAsync(consumer)));

        Assert.Equal(0, (await _queue.GetStatsAsync(Topic)).Waiting);
        Assert.Null(await _client.Memory.GetPendingReturnsAsync(JsonCodec.Default.EncodeCall(_leaf.Name, new N(1)).CallHash));
        Assert.False((await _client.ReadAsync(_mid, new N(1))).Found);
        Assert.Equal((1, 0), (Runs("leaf"), Runs("mid")));
    }

    [Fact]
    public async Task A_subtree_shared_with_a_cancelled_root_is_handed_over_to_the_other_root_which_completes()
    {
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_top.Name, new N(1)), Topic, "root-a");
        await using var consumer = _queue.CreateConsumer(Topic);

        // Root a runs top(1), then mid(1), which schedules leaf(1) under root a.
        Assert.All(await DrainAsync(consumer, most: 2), o => Assert.IsType<CallDeferred>(o));

        // Root b's top(2) registers on mid(1), already scheduled by a: b has no job of its own for mid or leaf.
        var leafJob = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_top.Name, new N(2)), Topic, "root-b");
        Assert.IsType<CallDeferred>(Assert.Single(await DrainAsync(consumer)));

        // a's leaf job is handed over to b; the leaf's return to mid (root a) goes to mid under root b.
        await _client.CancelAsync("root-a");
        Assert.Equal(new CallCancelled("root-b"), await _processor.HandleAsync(leafJob, _tasks));
        await consumer.AckAsync(leafJob);
        var outcomes = await DrainAsync(consumer);

        Assert.Equal(3, outcomes.Count(o => o is CallCompleted));
        Assert.Equal(202, (await _client.ReadAsync(_top, new N(2))).Value);
        Assert.False((await _client.ReadAsync(_top, new N(1))).Found);
        Assert.Equal((1, 1, 1), (Runs("leaf"), Runs("mid"), Runs("top")));
        Assert.Equal(0, (await _queue.GetStatsAsync(Topic)).Waiting);
    }

    [Fact]
    public async Task A_root_that_asks_for_calls_whose_jobs_a_cancelled_root_skipped_schedules_them_again()
    {
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_fanOut.Name, new N(3)), Topic, "root-a");
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(Assert.Single(await DrainAsync(consumer, most: 1)));
        await _client.CancelAsync("root-a");
        Assert.All(await DrainAsync(consumer), o => Assert.Equal(new CallCancelled(null), o));

        // fan-out(2) asks for leaf(0) and leaf(1), whose jobs root a had scheduled and then skipped.
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_fanOut.Name, new N(2)), Topic, "root-b");
        await DrainAsync(consumer);

        Assert.Equal(1, (await _client.ReadAsync(_fanOut, new N(2))).Value);
        Assert.Equal(2, Runs("leaf"));
    }

    [Fact]
    public async Task A_root_that_asks_for_a_subtree_a_cancelled_root_left_waiting_schedules_it_again()
    {
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_top.Name, new N(1)), Topic, "root-a");
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.All(await DrainAsync(consumer, most: 2), o => Assert.IsType<CallDeferred>(o));
        await _client.CancelAsync("root-a");
        Assert.Equal(new CallCancelled(null), Assert.Single(await DrainAsync(consumer)));

        // mid(1) deferred under root a and will never be brought back by it: root b's top(2) must schedule it itself.
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_top.Name, new N(2)), Topic, "root-b");
        await DrainAsync(consumer);

        Assert.Equal(202, (await _client.ReadAsync(_top, new N(2))).Value);
        Assert.Equal((1, 1, 1), (Runs("leaf"), Runs("mid"), Runs("top")));
    }

    [Fact]
    public async Task A_root_that_is_not_cancelled_runs_as_before()
    {
        await _client.ScheduleAsync(JsonCodec.Default.EncodeCall(_fanOut.Name, new N(5)), Topic, "root-a");
        await _client.CancelAsync("root-other");
        await using var consumer = _queue.CreateConsumer(Topic);
        var outcomes = await DrainAsync(consumer);

        Assert.DoesNotContain(outcomes, o => o is CallCancelled);
        Assert.Equal(10, (await _client.ReadAsync(_fanOut, new N(5))).Value);
    }
}
