using System.Collections.Concurrent;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>
/// Parent debouncing: a job is not run while a child its last run deferred on is still missing, and a call whose
/// value the process already knows only sends the returns that still wait on it.
/// </summary>
public sealed class DebounceTests
{
    public sealed record N(int X);

    private const string Topic = "main";
    private readonly InMemoryStore _store = new();
    private readonly InMemoryQueue _queue = new();
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly BrrrClient _client;
    private readonly CallProcessor _processor;
    private readonly BrrrTask<N, int> _a;
    private readonly BrrrTask<N, int> _b;
    private readonly BrrrTask<N, int> _parent;
    private readonly BrrrTask<N, int> _grandparent;
    private readonly TaskSet _tasks;

    public DebounceTests()
    {
        _client = new BrrrClient(_store, new InMemoryCache(), _queue);
        _processor = new CallProcessor(
            _client.Memory, _client.Jobs, JsonCodec.Default, new BoundedCache<byte[]>(100), new BoundedCache<Call>(100),
            new BoundedCache<WaitingChildren>(100));
        _a = BrrrTask.Create<N, int>("a", (_, n) => Task.FromResult(Ran("a", n.X * 10)));
        _b = BrrrTask.Create<N, int>("b", (_, n) => Task.FromResult(Ran("b", n.X * 100)));
        _parent = BrrrTask.Create<N, int>("parent", async (ctx, n) =>
        {
            Ran("parent", 0);
            var parts = await ctx.Gather(ctx.Call(_a, n), ctx.Call(_b, n));
            return parts[0] + parts[1];
        });
        _grandparent = BrrrTask.Create<N, int>("grandparent", (ctx, n) => ctx.Call(_parent, n));
        _tasks = new TaskSet(_grandparent, _parent, _a, _b);
    }

    private int Ran(string task, int result)
    {
        _runs.AddOrUpdate(task, 1, (_, n) => n + 1);
        return result;
    }

    private int Runs(string task) => _runs.GetValueOrDefault(task);

    private static string TaskOf(QueueDelivery delivery, BrrrTask<N, int> task, int x) =>
        ScheduleMessage.FromWire(delivery.Message).CallHash == JsonCodec.Default.EncodeCall(task.Name, new N(x)).CallHash ? task.Name : "?";

    /// <summary>Receives the next message and handles it as <see cref="HandleAsync"/> does.</summary>
    private async Task<CallOutcome> HandleNextAsync(IQueueConsumer consumer, CallProcessor? processor = null) =>
        await HandleAsync(consumer, (await consumer.ReceiveAsync(TimeSpan.Zero))!, processor);

    /// <summary>Handles <paramref name="delivery"/> in <paramref name="processor"/> (default: the fixture's), then acknowledges it.</summary>
    private async Task<CallOutcome> HandleAsync(IQueueConsumer consumer, QueueDelivery delivery, CallProcessor? processor = null)
    {
        var outcome = await (processor ?? _processor).HandleAsync(delivery, _tasks);
        await consumer.AckAsync(delivery);
        return outcome;
    }

    [Fact]
    public async Task A_parent_job_that_arrives_while_a_child_it_waits_for_is_missing_is_skipped_and_runs_when_that_child_completes()
    {
        await _client.ScheduleAsync(_parent, new N(1), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer));

        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.Equal(("a", "b"), (TaskOf(a, _a, 1), TaskOf(b, _b, 1)));
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, a));

        // a's completion brings the parent's job back while b is still missing: the parent is not run.
        var early = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.Same(CallStillWaiting.Instance, await HandleAsync(consumer, early));
        Assert.Equal(1, Runs("parent"));

        Assert.IsType<CallCompleted>(await HandleAsync(consumer, b));
        var done = Assert.IsType<CallCompleted>(await HandleNextAsync(consumer));
        Assert.False(done.AlreadyStored);
        Assert.Equal(new ReadResult<int>(true, 110), await _client.ReadAsync(_parent, new N(1)));
        Assert.Equal(2, Runs("parent"));
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task On_a_store_whose_reads_may_be_stale_a_parent_job_runs_while_a_child_it_waits_for_is_missing()
    {
        // A stale read could say "missing" of a child that has sent its returns already: no job is skipped on it.
        var stale = OtherProcess(recordsChildren: true, new StaleReadsStore(_store));
        await _client.ScheduleAsync(_parent, new N(2), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, stale));
        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, a, stale));

        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, stale));
        Assert.Equal(2, Runs("parent"));
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, b, stale));
        Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, stale));
        Assert.Equal(new ReadResult<int>(true, 220), await _client.ReadAsync(_parent, new N(2)));
    }

    private sealed class StaleReadsStore(IStore inner) : ForwardingStore(inner)
    {
        public override bool ReadsLatestWrites => false;
    }

    [Fact]
    public async Task On_a_store_that_reads_many_records_at_once_a_debounce_check_of_a_missing_child_is_one_read_request()
    {
        var store = new ReadRequestCountingStore(new InMemoryStore());
        var client = new BrrrClient(store, new InMemoryCache(), _queue);
        var processor = new CallProcessor(client.Memory, client.Jobs, JsonCodec.Default, new BoundedCache<byte[]>(10), new BoundedCache<Call>(10),
            new BoundedCache<WaitingChildren>(10));
        await client.ScheduleAsync(_parent, new N(2), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, processor));
        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, a, processor));

        // a's value is known here; b's value, error and pending returns are read in one request.
        store.Reset();
        Assert.Same(CallStillWaiting.Instance, await HandleNextAsync(consumer, processor));
        Assert.Equal(1, store.Reads);

        Assert.IsType<CallCompleted>(await HandleAsync(consumer, b, processor));
        Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, processor));
        Assert.Equal(new ReadResult<int>(true, 220), await client.ReadAsync(_parent, new N(2)));
    }

    [Fact]
    public async Task With_children_records_a_call_scheduled_here_whose_first_job_ran_elsewhere_is_debounced_here_on_its_record()
    {
        var here = OtherProcess(recordsChildren: true);
        var there = OtherProcess(recordsChildren: true);
        await _client.ScheduleAsync(_grandparent, new N(6), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);

        // The grandparent schedules the parent here; the parent's first job runs there and defers on a and b.
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, here));
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, there));
        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, a, there));

        // a's wake-up of the parent comes here, where the parent was scheduled but never ran: b is still missing, as the
        // parent's children record says, so the job is skipped (a mark "scheduled here, not run yet" once ran it instead).
        Assert.Same(CallStillWaiting.Instance, await HandleNextAsync(consumer, here));
        Assert.Equal(1, Runs("parent"));
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, b, here));
        while (await consumer.ReceiveAsync(TimeSpan.Zero) is { } next)
        {
            await HandleAsync(consumer, next, here);
        }

        Assert.Equal(new ReadResult<int>(true, 660), await _client.ReadAsync(_grandparent, new N(6)));
        Assert.Equal((2, 1, 1), (Runs("parent"), Runs("a"), Runs("b")));
    }

    /// <summary>A second process: the same store, cache and queue, caches of its own.</summary>
    /// <summary>A processor of another worker process on the same backends (its store seen through <paramref name="store"/>, if given).</summary>
    private CallProcessor OtherProcess(bool recordsChildren, IStore? store = null) =>
        new(store is null ? _client.Memory : new Memory(store), _client.Jobs, JsonCodec.Default, new BoundedCache<byte[]>(100), new BoundedCache<Call>(100),
            new BoundedCache<WaitingChildren>(100))
        {
            RecordsChildren = recordsChildren,
        };

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 3)]
    public async Task With_children_records_a_parent_job_is_skipped_in_another_process_while_a_child_it_waits_for_is_missing(bool records, int parentRuns)
    {
        var first = OtherProcess(records);
        var second = OtherProcess(records);
        await _client.ScheduleAsync(_parent, new N(3), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, first));
        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, a, second));

        // a wakes the parent in the second process, which never saw it defer: b is still missing.
        var early = await HandleNextAsync(consumer, second);
        Assert.Equal(records ? typeof(CallStillWaiting) : typeof(CallDeferred), early.GetType());

        Assert.IsType<CallCompleted>(await HandleAsync(consumer, b, second));
        while (await consumer.ReceiveAsync(TimeSpan.Zero) is { } next)
        {
            await HandleAsync(consumer, next, second);
        }

        Assert.Equal(new ReadResult<int>(true, 330), await _client.ReadAsync(_parent, new N(3)));
        Assert.Equal(parentRuns, Runs("parent"));
        Assert.Equal((1, 1), (Runs("a"), Runs("b")));
    }

    [Fact]
    public async Task With_children_records_the_second_wake_up_of_a_parent_another_process_ran_sends_no_second_run()
    {
        var first = OtherProcess(recordsChildren: true);
        var second = OtherProcess(recordsChildren: true);
        await _client.ScheduleAsync(_parent, new N(5), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, first));
        Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, second));
        Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, second));

        // Both children are done: two wake-ups wait. The first process runs the parent on the first; the second process,
        // which holds neither the parent's value nor a waiting entry, finds the value stored and only sends returns.
        Assert.False(Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, first)).AlreadyStored);
        Assert.True(Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, second)).AlreadyStored);
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.Zero));
        Assert.Equal(2, Runs("parent"));
        Assert.Equal(new ReadResult<int>(true, 550), await _client.ReadAsync(_parent, new N(5)));
    }

    [Fact]
    public async Task A_parent_job_runs_when_a_child_s_pending_returns_no_longer_hold_its_return()
    {
        // Child a settled and woke the parent; then its records expired (a retention) and another root's parent
        // registered on it, so a has no value and pending returns that do not hold this parent's return: a is not
        // going to wake this parent, which must run (and register on a again), not wait for it.
        var first = OtherProcess(recordsChildren: true);
        var second = OtherProcess(recordsChildren: true);
        await _client.ScheduleAsync(_parent, new N(6), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, first));
        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, a, first));
        var aHash = ScheduleMessage.FromWire(a.Message).CallHash;
        var parentHash = JsonCodec.Default.EncodeCall(_parent.Name, new N(6)).CallHash;
        await _store.DeleteAsync(MemKey.ValueOf(aHash));
        await _store.SetAsync(MemKey.PendingReturnsOf(aHash), new PendingReturns([new PendingReturn("other-root", parentHash, Topic)], 0).Encode());
        await _client.Jobs.PutAsync(Topic, new ScheduleMessage("other-root", aHash));
        Assert.IsType<CallCompleted>(await HandleNextAsync(consumer, first));

        // The parent's wake-ups reach the second process, which reads the parent's children record.
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer, second));
        while (await consumer.ReceiveAsync(TimeSpan.Zero) is { } next)
        {
            await HandleAsync(consumer, next, second);
        }

        Assert.Equal(new ReadResult<int>(true, 660), await _client.ReadAsync(_parent, new N(6)));
    }

    [Theory]
    [InlineData("another root", false)]
    [InlineData("unreadable", false)]
    [InlineData("another root", true)]
    [InlineData("unreadable", true)]
    public async Task A_parent_job_runs_when_its_children_record_is_of_another_root_or_unreadable(string record, bool callKnownThere)
    {
        var first = OtherProcess(recordsChildren: true);
        var second = OtherProcess(recordsChildren: true);
        await _client.ScheduleAsync(_parent, new N(4), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        var parent = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.IsType<CallDeferred>(await first.HandleAsync(parent, _tasks));
        await consumer.AckAsync(parent);
        var parentHash = JsonCodec.Default.EncodeCall(_parent.Name, new N(4)).CallHash;
        var stored = (await _client.Memory.GetChildrenAsync(parentHash))!;
        Assert.Equal(2, stored.Children.Count);
        await _store.SetAsync(
            MemKey.ChildrenOf(parentHash),
            record == "unreadable" ? "{not a record"u8.ToArray() : (stored with { RootId = "some-other-root" }).Encode());

        // The parent's job again (as a wake-up would bring it) in the second process, while a and b are still missing:
        // nothing tells it that the parent waits, so it runs. The record comes with the call record, or on its own when
        // the second process knows the call already.
        if (callKnownThere)
        {
            second.Calls.Put(parentHash, (await _client.Memory.FindCallAsync(parentHash))!);
        }

        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        await _client.Jobs.PutAsync(Topic, ScheduleMessage.FromWire(parent.Message));
        var again = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.Equal(parent.Message, again.Message);
        Assert.IsType<CallDeferred>(await second.HandleAsync(again, _tasks));
        await Task.WhenAll(consumer.AckAsync(again), consumer.AckAsync(a), consumer.AckAsync(b));
        Assert.Equal(2, Runs("parent"));
    }

    [Fact]
    public async Task A_redelivered_parent_job_runs_even_while_a_child_it_waits_for_is_missing()
    {
        await _client.ScheduleAsync(_parent, new N(2), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        var first = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        await _processor.HandleAsync(first, _tasks);

        // The earlier attempt may have died before its children's jobs were pushed: run it again.
        await consumer.ReleaseAsync(first);
        var again = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.True(again.Redelivered);
        Assert.IsType<CallDeferred>(await HandleAsync(consumer, again));
        Assert.Equal(2, Runs("parent"));
    }

    [Fact]
    public async Task A_job_of_a_call_whose_value_this_process_knows_sends_the_late_returns_without_running_it()
    {
        var child = JsonCodec.Default.EncodeCall("a", new N(3));
        await _client.ScheduleAsync(_a, new N(3), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallCompleted>(await HandleNextAsync(consumer));

        // A parent registers after the value was stored (a lost race): its registration schedules the child again.
        var late = new PendingReturn("root-late", "late-parent", Topic);
        Assert.True(await _client.Memory.AddPendingReturnAsync(child.CallHash, late));
        await _client.Jobs.PutAsync(Topic, new ScheduleMessage("root-late", child.CallHash));

        var outcome = Assert.IsType<CallCompleted>(await HandleNextAsync(consumer));
        Assert.True(outcome.AlreadyStored);
        Assert.Equal(1, Runs("a"));
        var parentJob = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.Equal(new ScheduleMessage("root-late", "late-parent"), ScheduleMessage.FromWire(parentJob.Message));
        Assert.Null(await _store.GetAsync(MemKey.PendingReturnsOf(child.CallHash)));
    }

    [Fact]
    public async Task A_workflow_scheduled_again_under_a_new_root_after_a_child_job_was_lost_completes()
    {
        await _client.ScheduleAsync(_parent, new N(4), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        Assert.IsType<CallDeferred>(await HandleNextAsync(consumer));
        var a = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var b = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.Equal(("a", "b"), (TaskOf(a, _a, 4), TaskOf(b, _b, 4)));

        // a's job is lost; b's completion brings the parent's job back, which waits for a.
        await consumer.AckAsync(a);
        Assert.IsType<CallCompleted>(await HandleAsync(consumer, b));
        Assert.Same(CallStillWaiting.Instance, await HandleNextAsync(consumer));
        Assert.Null(await consumer.ReceiveAsync(TimeSpan.Zero));

        // The workflow is scheduled again: a new root, whose run must register on a and so schedule it again (§5.3b).
        await _client.ScheduleAsync(_parent, new N(4), Topic);
        for (var handled = 0; await consumer.ReceiveAsync(TimeSpan.Zero) is { } delivery; handled++)
        {
            Assert.True(handled < 100, "the workflow does not terminate");
            await HandleAsync(consumer, delivery);
        }

        Assert.Equal(new ReadResult<int>(true, 440), await _client.ReadAsync(_parent, new N(4)));
        Assert.Equal(1, Runs("a"));
    }

    [Fact]
    public async Task A_debounce_check_of_a_wide_fan_out_reads_the_children_in_batches_and_the_one_missing_last_first()
    {
        const int width = 40;
        var store = new ValueReadCountingStore(new InMemoryStore());
        var client = new BrrrClient(store, new InMemoryCache(), _queue);
        var processor = new CallProcessor(client.Memory, client.Jobs, JsonCodec.Default, waiting: new BoundedCache<WaitingChildren>(10));
        var wide = BrrrTask.Create<N, int>("wide", async (ctx, n) => (await ctx.Gather(Enumerable.Range(0, n.X).Select(i => ctx.Call(_a, new N(i))))).Sum());
        var tasks = new TaskSet(wide, _a);
        await client.ScheduleAsync(wide, new N(width), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        async Task<CallOutcome> NextAsync()
        {
            var delivery = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
            var outcome = await processor.HandleAsync(delivery, tasks);
            await consumer.AckAsync(delivery);
            return outcome;
        }

        Assert.Equal(width, Assert.IsType<CallDeferred>(await NextAsync()).Children.Count);
        for (var i = 0; i < width - 1; i++)
        {
            Assert.IsType<CallCompleted>(await NextAsync());
        }

        // The last child's job waits at the head; behind it, one job of the parent per completed child.
        var last = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        store.Reset();
        Assert.Same(CallStillWaiting.Instance, await NextAsync());
        Assert.Equal(width, store.Reads);
        Assert.True(store.Peak > 1, $"the children were read one at a time (at most {store.Peak} at once)");

        store.Reset();
        Assert.Same(CallStillWaiting.Instance, await NextAsync());
        Assert.Equal(1, store.Reads);
        await consumer.ReleaseAsync(last);
    }
}
