using System.Collections.Concurrent;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>
/// Task retention on the in-memory store, on a clock moved by hand: a settled call's records expire once its returns
/// were sent, never while a parent waits on it, and an expired call is computed again when asked again.
/// </summary>
public sealed class RetentionTests
{
    public sealed record N(int X);

    private const string Topic = "main";
    private static readonly TaskOptions TwoSeconds = new() { Retention = TimeSpan.FromSeconds(2) };
    private readonly ManualClock _clock = new(1_700_000_000);
    private readonly InMemoryStore _store;
    private readonly InMemoryQueue _queue = new();
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly BrrrClient _client;
    private readonly CallProcessor _processor;
    private readonly BrrrTask<N, int> _leaf;
    private readonly BrrrTask<N, int> _kept;
    private readonly BrrrTask<N, int> _parent;
    private readonly TaskSet _tasks;

    public RetentionTests()
    {
        _store = new InMemoryStore(_clock);
        _client = new BrrrClient(_store, new InMemoryCache(), _queue);

        // With the caches on, as in a worker: a parent's job is skipped while a child it waits for is missing.
        _processor = new CallProcessor(
            _client.Memory, _client.Jobs, JsonCodec.Default, new BoundedCache<byte[]>(100), new BoundedCache<Call>(100),
            new BoundedCache<WaitingChildren>(100));
        _leaf = BrrrTask.Create<N, int>("leaf", (_, n) => Task.FromResult(Ran("leaf", n.X * 10)), TwoSeconds);
        _kept = BrrrTask.Create<N, int>("kept", (_, n) => Task.FromResult(Ran("kept", n.X)));
        _parent = BrrrTask.Create<N, int>("parent", async (ctx, n) => Ran("parent", await ctx.Call(_leaf, n) + 1));
        _tasks = new TaskSet(_leaf, _kept, _parent);
    }

    private int Ran(string task, int result)
    {
        _runs.AddOrUpdate(task, 1, (_, n) => n + 1);
        return result;
    }

    private int Runs(string task) => _runs.GetValueOrDefault(task);

    private void Wait(int seconds) => _clock.Now += seconds;

    private async Task<bool> HasAsync(MemKeyType type, Call call) => await _store.HasAsync(new MemKey(type, call.CallHash));

    private async Task DrainAsync()
    {
        await using var consumer = _queue.CreateConsumer(Topic);
        for (var handled = 0; await consumer.ReceiveAsync(TimeSpan.Zero) is { } delivery; handled++)
        {
            Assert.True(handled < 100, "the workflow does not terminate");
            await _processor.HandleAsync(delivery, _tasks);
            await consumer.AckAsync(delivery);
        }
    }

    private async Task HandleOneAsync()
    {
        await using var consumer = _queue.CreateConsumer(Topic);
        var delivery = await consumer.ReceiveAsync(TimeSpan.Zero);
        Assert.NotNull(delivery);
        await _processor.HandleAsync(delivery, _tasks);
        await consumer.AckAsync(delivery);
    }

    [Fact]
    public async Task Records_of_a_task_with_a_two_second_retention_are_gone_after_it_and_a_task_without_keeps_them()
    {
        var leaf = await _client.ScheduleAsync(_leaf, new N(1), Topic);
        var kept = await _client.ScheduleAsync(_kept, new N(1), Topic);
        await DrainAsync();
        Assert.True(await HasAsync(MemKeyType.Value, leaf));
        Assert.True(await HasAsync(MemKeyType.Call, leaf));

        Wait(3);
        Assert.False(await HasAsync(MemKeyType.Value, leaf));
        Assert.False(await HasAsync(MemKeyType.Call, leaf));
        Assert.True(await HasAsync(MemKeyType.Value, kept));
        Assert.True(await HasAsync(MemKeyType.Call, kept));
    }

    [Fact]
    public async Task A_children_record_written_after_its_call_settled_expires_with_the_call()
    {
        // One run of a retained parent defers, and its children record is written late: meanwhile another process runs
        // the child and the parent's wake-up, which settles the parent and lets its records expire. The late write must
        // not keep the children record forever.
        var retained = BrrrTask.Create<N, int>("retained", async (ctx, n) => Ran("retained", await ctx.Call(_kept, n) + 1), TwoSeconds);
        var tasks = new TaskSet(retained, _kept);
        var held = new HeldChildrenWrites(_store);
        var late = new CallProcessor(new Memory(held), _client.Jobs, JsonCodec.Default) { RecordsChildren = true };
        var other = new CallProcessor(_client.Memory, _client.Jobs, JsonCodec.Default) { RecordsChildren = true };
        var parent = await _client.ScheduleAsync(retained, new N(6), Topic);
        await using var consumer = _queue.CreateConsumer(Topic);

        var first = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var deferring = late.HandleAsync(first, tasks);
        await held.Holding.WaitAsync(TimeSpan.FromSeconds(10));
        while (await consumer.ReceiveAsync(TimeSpan.Zero) is { } next)
        {
            await other.HandleAsync(next, tasks);
            await consumer.AckAsync(next);
        }

        Assert.Equal(new ReadResult<int>(true, 7), await _client.ReadAsync(retained, new N(6)));
        held.Release();
        Assert.IsType<CallDeferred>(await deferring);
        await consumer.AckAsync(first);
        Assert.True(await HasAsync(MemKeyType.Children, parent));

        Wait(3);
        Assert.False(await HasAsync(MemKeyType.Value, parent));
        Assert.False(await HasAsync(MemKeyType.Children, parent));
    }

    /// <summary>Holds every write of a children record until <see cref="Release"/>.</summary>
    private sealed class HeldChildrenWrites(IStore inner) : ForwardingStore(inner)
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Holding => _holding.Task;

        public void Release() => _released.TrySetResult();

        public override async Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
        {
            if (key.Type == MemKeyType.Children)
            {
                _holding.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            await base.SetAsync(key, value, cancellationToken);
        }
    }

    [Fact]
    public async Task A_call_with_pending_returns_is_kept_until_they_are_sent()
    {
        var parent = await _client.ScheduleAsync(_parent, new N(4), Topic);
        var leaf = JsonCodec.Default.EncodeCall("leaf", new N(4));
        await HandleOneAsync();
        Assert.True(await HasAsync(MemKeyType.PendingReturns, leaf));

        Wait(3600);
        Assert.True(await HasAsync(MemKeyType.Call, leaf));
        await HandleOneAsync();
        Assert.False(await HasAsync(MemKeyType.PendingReturns, leaf));
        Assert.True(await HasAsync(MemKeyType.Value, leaf));

        await DrainAsync();
        Assert.Equal(new ReadResult<int>(true, 41), await _client.ReadAsync(_parent, new N(4)));
        Wait(3);
        Assert.False(await HasAsync(MemKeyType.Value, leaf));
        Assert.False(await HasAsync(MemKeyType.Call, leaf));
        Assert.True(await HasAsync(MemKeyType.Value, parent));
    }

    [Fact]
    public async Task A_parent_woken_after_its_childs_value_expired_defers_again_and_the_child_is_computed_again()
    {
        await _client.ScheduleAsync(_parent, new N(5), Topic);
        await HandleOneAsync();
        await HandleOneAsync();

        // The parent's job is queued; the child's value expires before it runs.
        Wait(3);
        await DrainAsync();

        Assert.Equal(new ReadResult<int>(true, 51), await _client.ReadAsync(_parent, new N(5)));
        Assert.Equal(2, Runs("leaf"));
    }

    [Fact]
    public async Task An_expired_value_is_computed_again_when_asked_again()
    {
        await _client.ScheduleAsync(_leaf, new N(6), Topic);
        await DrainAsync();
        Assert.Equal(new ReadResult<int>(true, 60), await _client.ReadAsync(_leaf, new N(6)));

        Wait(3);
        Assert.False((await _client.ReadAsync(_leaf, new N(6))).Found);
        await _client.ScheduleAsync(_leaf, new N(6), Topic);
        await DrainAsync();
        Assert.Equal(new ReadResult<int>(true, 60), await _client.ReadAsync(_leaf, new N(6)));
        Assert.Equal(2, Runs("leaf"));
    }

    [Fact]
    public async Task A_return_registered_while_the_records_are_left_to_expire_keeps_them()
    {
        var leaf = JsonCodec.Default.EncodeCall("leaf", new N(7));
        await _client.Memory.SetCallAsync(leaf);
        await _client.Memory.SetValueAsync(leaf.CallHash, JsonCodec.Default.EncodeReturn(70));
        await _client.Memory.AddPendingReturnAsync(leaf.CallHash, new Protocol.PendingReturn("root", JsonCodec.Default.EncodeCall("parent", new N(7)).CallHash, Topic));

        Assert.False(await _client.Memory.ExpireSettledAsync(leaf.CallHash, TimeSpan.FromSeconds(2)));
        Wait(3);
        Assert.True(await HasAsync(MemKeyType.Call, leaf));
        Assert.True(await HasAsync(MemKeyType.Value, leaf));
    }

    [Fact]
    public async Task A_failed_call_with_a_retention_loses_its_error_record_after_it()
    {
        var leaf = JsonCodec.Default.EncodeCall("leaf", new N(8));
        await _client.Memory.SetCallAsync(leaf);
        var error = ErrorRecord.Of("leaf", leaf.CallHash, "root", new InvalidOperationException("boom"), 1, _clock.GetUtcNow());
        await _processor.ReturnErrorAsync(error, TimeSpan.FromSeconds(2));
        Assert.NotNull(await _client.Memory.GetErrorAsync(leaf.CallHash));

        Wait(3);
        Assert.Null(await _client.Memory.GetErrorAsync(leaf.CallHash));
        Assert.False(await HasAsync(MemKeyType.Call, leaf));
    }

    [Fact]
    public async Task The_due_time_of_a_delayed_call_expires_with_its_other_records_so_a_recomputation_is_delayed_again()
    {
        var call = JsonCodec.Default.EncodeCall("leaf", new N(7));
        var first = DateTimeOffset.FromUnixTimeSeconds(_clock.Now + 60);
        Assert.Equal(first, await _client.Memory.SetDueIfAbsentAsync(call.CallHash, first));
        await _client.Memory.SetValueAsync(call.CallHash, "70"u8.ToArray());

        Assert.True(await _client.Memory.ExpireSettledAsync(call.CallHash, TimeSpan.FromSeconds(2)));
        Wait(3);

        Assert.False(await HasAsync(MemKeyType.Value, call));
        Assert.False(await HasAsync(MemKeyType.Due, call));
        var later = DateTimeOffset.FromUnixTimeSeconds(_clock.Now + 60);
        Assert.Equal(later, await _client.Memory.SetDueIfAbsentAsync(call.CallHash, later));
    }
}
