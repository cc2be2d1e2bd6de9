using System.Text.Json.Nodes;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Protocol;
using Brrr.Redis;
using Brrr.Tasks;

namespace Brrr.Inspection.Tests;

/// <summary>
/// The inspector's state and verdict for each way a workflow stands, each produced for real on a redis-server: the
/// calls are handled by <see cref="CallProcessor"/>, the same code a worker runs, one message at a time, so the test
/// can stop between any two steps (the failures, from real workers, are in <see cref="WorkerVerdictTests"/>).
/// Subclassed for each store.
/// </summary>
public abstract class InspectorTests : FleetTest
{
    private const string Topic = "inspect";
    private readonly BrrrTask<JsonObject, int> _leaf;
    private readonly BrrrTask<JsonObject, int> _parent;
    private readonly TaskSet _tasks;
    private bool _recordChildren;

    protected InspectorTests(DynaliteServer? dynalite)
        : base(dynalite)
    {
        _leaf = BrrrTask.Create<JsonObject, int>("leaf", (_, a) => Task.FromResult((int)a["n"]!));
        _parent = BrrrTask.Create<JsonObject, int>("parent", async (ctx, a) =>
            (await ctx.Gather(ctx.Call(_leaf, new JsonObject { ["n"] = 1 }, Topic), ctx.Call(_leaf, new JsonObject { ["n"] = 2 }, Topic))).Sum());
        _tasks = new TaskSet(_leaf, _parent);
    }

    private BrrrInspector Inspector => new(Client, Redis.Queue);

    [Fact]
    public async Task A_queued_backlog_reads_in_progress_with_the_topic()
    {
        foreach (var n in new[] { 1, 2, 3 })
        {
            await Client.ScheduleAsync(_leaf, new JsonObject { ["n"] = n }, Topic);
        }

        var report = await Inspector.InspectAsync("leaf", new JsonObject { ["n"] = 2 });

        Assert.Equal(CallNodeState.Queued, report.Root.State);
        Assert.Equal($"queued on topic {Topic}", report.Root.Detail);
        Assert.Single(report.Root.Roots);
        Assert.Equal("in progress: 1 call queued, 0 running, 0 waiting on children", report.Verdict);
        Assert.Contains("leaf {\"n\":2}  queued on topic inspect", InspectionText.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_workflow_reads_done()
    {
        var call = await Client.ScheduleAsync(_parent, new JsonObject(), Topic);
        await DrainAsync();

        var report = await Inspector.InspectAsync(call.CallHash);

        Assert.Equal(CallNodeState.Completed, report.Root.State);
        Assert.Empty(report.Root.Children);
        Assert.Equal("done: parent {} has its value", report.Verdict);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_parent_waits_on_its_queued_children_and_the_tree_shows_them_with_the_parent_waiting(bool recordChildren)
    {
        _recordChildren = recordChildren;
        var call = await Client.ScheduleAsync(_parent, new JsonObject(), Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync());

        var report = await Inspector.InspectAsync(call.CallHash);

        Assert.Equal(CallNodeState.Waiting, report.Root.State);
        Assert.True(report.Root.ChildrenKnown);
        Assert.Equal(["leaf {\"n\":1}", "leaf {\"n\":2}"], report.Root.Children.Select(c => c.Label));
        Assert.All(report.Root.Children, c => Assert.Equal((CallNodeState.Queued, call.CallHash), (c.State, Assert.Single(c.Parents).CallHash)));
        Assert.Equal("in progress: 2 calls queued, 0 running, 1 waiting on children", report.Verdict);
        var text = InspectionText.Render(report);
        Assert.Contains("├─ leaf {\"n\":1}", text, StringComparison.Ordinal);
        Assert.Contains("└─ leaf {\"n\":2}", text, StringComparison.Ordinal);
        var json = InspectionText.Json(report);
        Assert.Equal("waiting", (string)json["root"]!["state"]!);
        Assert.Equal(2, json["root"]!["children"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_lost_job_reads_lost_and_requeue_lost_brings_it_back(bool recordChildren)
    {
        _recordChildren = recordChildren;
        var call = await Client.ScheduleAsync(_parent, new JsonObject(), Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync());
        var lostHash = JsonCodec.Default.EncodeCall("leaf", new JsonObject { ["n"] = 2 }).CallHash;
        var admin = (IQueueAdmin)Redis.Queue;
        var job = (await admin.PeekAsync(Topic, 0, 10)).Single(m => ScheduleMessage.FromWire(m).CallHash == lostHash);
        Assert.Equal(1, await Redis.Multiplexer.GetDatabase().ListRemoveAsync(RedisLayout.Current.TopicList(Topic), job));

        var report = await Inspector.InspectAsync(call.CallHash);

        var lost = report.Root.Children.Single(c => c.CallHash == lostHash);
        Assert.Equal(CallNodeState.Lost, lost.State);
        Assert.Contains("not lost", await Inspector.RequeueLostAsync(call.CallHash), StringComparison.Ordinal);
        if (recordChildren)
        {
            // The parent's children record names the topic it pushed the child to.
            Assert.Equal(Topic, lost.Topic);
            Assert.Equal($"lost: leaf {{\"n\":2}} is awaited but no job exists; `brrr inspect --hash {lostHash} --requeue-lost` schedules it", report.Verdict);
            Assert.Null(await Inspector.RequeueLostAsync(lostHash));
        }
        else
        {
            // Found by the scan of pending returns, which keep no topic: the user names it.
            Assert.Null(lost.Topic);
            Assert.Equal($"lost: leaf {{\"n\":2}} is awaited but no job exists; `brrr inspect --hash {lostHash} --requeue-lost --topic <its topic>` schedules it", report.Verdict);
            Assert.Equal("leaf {\"n\":2} is lost, but its topic is unknown: pass it", await Inspector.RequeueLostAsync(lostHash));
            Assert.Null(await Inspector.RequeueLostAsync(lostHash, topic: Topic));
        }

        Assert.Equal(CallNodeState.Queued, (await Inspector.InspectAsync(lostHash)).Root.State);
        await DrainAsync();
        Assert.Equal(3, await Client.WaitAsync(_parent, new JsonObject(), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_child_held_back_in_the_queue_reads_delayed_with_its_due_time_not_lost()
    {
        var call = await Client.ScheduleAsync(_parent, new JsonObject(), Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync());
        var delayedHash = JsonCodec.Default.EncodeCall("leaf", new JsonObject { ["n"] = 2 }).CallHash;
        var job = (await ((IQueueAdmin)Redis.Queue).PeekAsync(Topic, 0, 10)).Single(m => ScheduleMessage.FromWire(m).CallHash == delayedHash);
        Assert.Equal(1, await Redis.Multiplexer.GetDatabase().ListRemoveAsync(RedisLayout.Current.TopicList(Topic), job));
        var due = DateTimeOffset.UtcNow.AddHours(1);
        await ((IDelayedQueue)Redis.Queue).PushAsync(Topic, job, due);

        var report = await Inspector.InspectAsync(call.CallHash);

        var delayed = report.Root.Children.Single(c => c.CallHash == delayedHash);
        Assert.Equal((CallNodeState.Delayed, Topic), (delayed.State, delayed.Topic));
        Assert.Equal($"delayed on topic {Topic} until {due.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}Z", delayed.Detail);
        Assert.Equal(due.ToUnixTimeMilliseconds(), Assert.Single(delayed.Jobs).NotBefore!.Value.ToUnixTimeMilliseconds());
        Assert.Equal("in progress: 1 call queued, 0 running, 1 delayed, 1 waiting on children", report.Verdict);
        Assert.Equal("delayed", (string)InspectionText.Json(report)["root"]!["children"]!.AsArray().Single(c => (string)c!["call_hash"]! == delayedHash)!["state"]!);
        Assert.Contains("not lost", await Inspector.RequeueLostAsync(delayedHash), StringComparison.Ordinal);

        // The other child, failing and given back for a retry after its backoff, reads as a retry.
        await using var consumer = (IDelayedQueueConsumer)Redis.Queue.CreateConsumer(Topic);
        var held = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("no job waits");
        await consumer.ReleaseAsync(held, DateTimeOffset.UtcNow.AddMinutes(5));
        var retried = (await Inspector.InspectAsync(ScheduleMessage.FromWire(held.Message).CallHash)).Root;
        Assert.Equal(CallNodeState.Delayed, retried.State);
        Assert.EndsWith("(given back by a worker: a retry waiting out its backoff, or a call over a rate limit)", retried.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_held_by_a_consumer_whose_heartbeat_expired_reads_stalled()
    {
        var settings = RedisBrrrSettings.Default with { Configuration = Server.Configuration, HeartbeatInterval = TimeSpan.FromMilliseconds(100), HeartbeatTtl = TimeSpan.FromMilliseconds(400) };
        await using var other = await RedisBrrr.ConnectAsync(settings);
        var call = await Client.ScheduleAsync(_leaf, new JsonObject { ["n"] = 9 }, Topic);
        var dying = (RedisQueueConsumer)other.Queue.CreateConsumer(Topic);
        Assert.NotNull(await dying.ReceiveAsync(TimeSpan.FromSeconds(5)));

        var running = await Inspector.InspectAsync(call.CallHash);
        Assert.Equal(CallNodeState.Held, running.Root.State);
        Assert.Contains($"held by consumer {dying.Id}", running.Root.Detail, StringComparison.Ordinal);
        Assert.Equal("in progress: 0 calls queued, 1 running, 0 waiting on children", running.Verdict);

        await dying.AbandonAsync();
        await Eventually.HoldsAsync(
            async () => (await Inspector.InspectAsync(call.CallHash)).Verdict.StartsWith("stalled:", StringComparison.Ordinal), "the holder's heartbeat expires");
        var stalled = await Inspector.InspectAsync(call.CallHash);
        Assert.Equal(
            $"stalled: leaf {{\"n\":9}} is held by consumer {dying.Id} of topic {Topic}, whose heartbeat expired; a live consumer of the topic gives it back",
            stalled.Verdict);
    }

    [Fact]
    public async Task A_call_a_reference_worker_scheduled_with_a_raw_rpush_shows_what_the_store_and_queue_tell()
    {
        var call = JsonCodec.Default.EncodeCall("ts_task", new JsonObject { ["x"] = "1" });
        await Client.Memory.SetCallAsync(call);
        await Redis.Multiplexer.GetDatabase().ListRightPushAsync(RedisLayout.Current.TopicList("ts-topic"), new ScheduleMessage("ts-root", call.CallHash).ToWire());

        var queued = await Inspector.InspectAsync(call.CallHash);
        Assert.Equal((CallNodeState.Queued, "ts-topic", true), (queued.Root.State, queued.Root.Topic, queued.Root.ChildrenKnown));
        Assert.Equal(["ts-root"], queued.Root.Roots);
        var byRoot = await Inspector.InspectRootAsync("ts-root");
        Assert.Equal(call.CallHash, byRoot!.Root.CallHash);
        Assert.Null(await Inspector.InspectRootAsync("no-such-root"));

        await Redis.Multiplexer.GetDatabase().KeyDeleteAsync(RedisLayout.Current.TopicList("ts-topic"));
        var lost = await Inspector.InspectAsync(call.CallHash);
        Assert.Equal(CallNodeState.Lost, lost.Root.State);
        Assert.Equal("lost: no value, no job anywhere, and no child holds its return address", lost.Root.Detail);
    }

    [Fact]
    public async Task A_parent_a_reference_worker_deferred_shows_its_children_from_their_pending_returns()
    {
        // What a reference worker leaves: call records, the child's pending_returns naming the parent, the child's job.
        var parent = JsonCodec.Default.EncodeCall("ts_parent", new JsonObject { ["x"] = "1" });
        var child = JsonCodec.Default.EncodeCall("ts_child", new JsonObject { ["x"] = "2" });
        await Client.Memory.SetCallAsync(parent);
        await Client.Memory.SetCallAsync(child);
        await Client.Memory.Store.SetAsync(MemKey.PendingReturnsOf(child.CallHash), new PendingReturns([new PendingReturn("ts-root", parent.CallHash, "ts-topic")], 1_700_000_000).Encode());
        var db = Redis.Multiplexer.GetDatabase();
        await db.ListRightPushAsync(RedisLayout.Current.TopicList("ts-topic"), new ScheduleMessage("ts-root", child.CallHash).ToWire());

        var waiting = await Inspector.InspectAsync(parent.CallHash);
        Assert.Equal((CallNodeState.Waiting, "waiting on 1 child", true), (waiting.Root.State, waiting.Root.Detail, waiting.Root.ChildrenKnown));
        var shown = Assert.Single(waiting.Root.Children);
        Assert.Equal((child.CallHash, CallNodeState.Queued, "ts-topic"), (shown.CallHash, shown.State, shown.Topic));
        Assert.Equal("in progress: 1 call queued, 0 running, 1 waiting on children", waiting.Verdict);

        await db.KeyDeleteAsync(RedisLayout.Current.TopicList("ts-topic"));
        var lost = await Inspector.InspectAsync(parent.CallHash);
        Assert.Equal(CallNodeState.Lost, Assert.Single(lost.Root.Children).State);
        Assert.StartsWith("lost: ts_child {\"x\":\"2\"} is awaited but no job exists", lost.Verdict, StringComparison.Ordinal);

        await Client.Memory.Store.DeleteAsync(MemKey.PendingReturnsOf(child.CallHash));
        var orphan = await Inspector.InspectAsync(parent.CallHash);
        Assert.Equal((CallNodeState.Lost, "lost: no value, no job anywhere, and no child holds its return address"), (orphan.Root.State, orphan.Root.Detail));
    }

    [Fact]
    public async Task An_unknown_call_reads_unknown()
    {
        var report = await Inspector.InspectAsync("0123456789abcdef");

        Assert.Equal(CallNodeState.Unknown, report.Root.State);
        Assert.StartsWith("unknown: no call record for 0123456789abcdef", report.Verdict, StringComparison.Ordinal);
    }

    private CallProcessor Processor() => new(Client.Memory, Client.Jobs, JsonCodec.Default) { RecordsChildren = _recordChildren };

    private async Task<CallOutcome> HandleNextAsync()
    {
        await using var consumer = Redis.Queue.CreateConsumer(Topic);
        var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("no job waits");
        var outcome = await Processor().HandleAsync(delivery, _tasks);
        await consumer.AckAsync(delivery);
        return outcome;
    }

    /// <summary>Handles jobs until none is left.</summary>
    private async Task DrainAsync()
    {
        while ((await Redis.Queue.GetStatsAsync(Topic)).Waiting > 0)
        {
            await using var consumer = Redis.Queue.CreateConsumer(Topic);
            var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("no job waits");
            await Processor().HandleAsync(delivery, _tasks);
            await consumer.AckAsync(delivery);
        }
    }
}
