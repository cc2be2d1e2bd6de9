using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Tests;

/// <summary>When registering a return schedules the child (PROTOCOL.md §5, 3b), and how completion sends returns (§5, 4).</summary>
public sealed class MemoryScheduleRuleTests
{
    private const string Child = "child";
    private readonly InMemoryStore _store = new();
    private readonly ManualClock _clock = new(1_700_000_000);
    private readonly Memory _memory;

    public MemoryScheduleRuleTests() => _memory = new Memory(_store, _clock);

    private async Task<PendingReturns> RecordAsync() =>
        PendingReturns.Decode((await _store.GetAsync(MemKey.PendingReturnsOf(Child)))!);

    private async Task<byte[]?> RawAsync() => await _store.GetAsync(MemKey.PendingReturnsOf(Child));

    [Fact]
    public async Task First_registration_creates_the_record_with_scheduled_at_and_schedules()
    {
        var first = new PendingReturn("root-a", "parent", "t");
        Assert.True(await _memory.AddPendingReturnAsync(Child, first));
        var record = await RecordAsync();
        Assert.Equal([first], record.Returns);
        Assert.Equal(1_700_000_000, record.ScheduledAt);
        Assert.Equal(new PendingReturns([first], 1_700_000_000).Encode(), await RawAsync());
    }

    [Fact]
    public async Task Same_root_and_parent_again_does_not_schedule_nor_duplicate()
    {
        var first = new PendingReturn("root-a", "parent", "t");
        await _memory.AddPendingReturnAsync(Child, first);
        var before = await RawAsync();
        _clock.Now += 60;

        Assert.False(await _memory.AddPendingReturnAsync(Child, first));
        Assert.Equal(before, await RawAsync());
        Assert.Single((await RecordAsync()).Returns);
    }

    [Fact]
    public async Task Same_parent_and_topic_under_another_root_schedules_again_and_moves_scheduled_at()
    {
        await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-a", "parent", "t"));
        _clock.Now += 60;

        Assert.True(await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-b", "parent", "t")));
        var record = await RecordAsync();
        Assert.Equal(["root-a", "root-b"], record.Returns.Select(r => r.RootId));
        Assert.Equal(1_700_000_060, record.ScheduledAt);
    }

    [Fact]
    public async Task Another_parent_does_not_schedule_and_keeps_scheduled_at()
    {
        await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-a", "parent-1", "t"));
        _clock.Now += 60;

        Assert.False(await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-a", "parent-2", "t")));
        Assert.False(await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-b", "parent-3", "t")));
        var record = await RecordAsync();
        Assert.Equal(3, record.Returns.Count);
        Assert.Equal(1_700_000_000, record.ScheduledAt);
    }

    [Fact]
    public async Task Same_parent_on_another_topic_under_another_root_does_not_schedule()
    {
        await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-a", "parent", "t1"));
        Assert.False(await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-b", "parent", "t2")));
        Assert.Equal(2, (await RecordAsync()).Returns.Count);
    }

    [Fact]
    public async Task Forced_registration_schedules_even_when_nothing_else_would()
    {
        var first = new PendingReturn("root-a", "parent", "t");
        await _memory.AddPendingReturnAsync(Child, first);
        _clock.Now += 60;

        Assert.True(await _memory.AddPendingReturnAsync(Child, first, forceSchedule: true));
        Assert.True(await _memory.AddPendingReturnAsync(Child, new PendingReturn("root-a", "other", "t"), forceSchedule: true));
        var record = await RecordAsync();
        Assert.Equal(2, record.Returns.Count);
        Assert.Equal(1_700_000_060, record.ScheduledAt);
    }

    [Fact]
    public async Task Registration_on_a_record_that_is_not_pending_returns_fails_with_a_protocol_error()
    {
        await _store.SetAsync(MemKey.PendingReturnsOf(Child), TestSupport.Utf8("garbage"));
        await Assert.ThrowsAsync<ProtocolException>(() => _memory.AddPendingReturnAsync(Child, new PendingReturn("r", "p", "t")));
    }

    [Fact]
    public async Task A_spawn_limit_on_one_return_still_sends_all_others_and_then_throws()
    {
        var returns = Enumerable.Range(0, 10).Select(i => new PendingReturn($"root-{i}", $"parent-{i}", "t")).ToArray();
        foreach (var r in returns)
        {
            await _memory.AddPendingReturnAsync(Child, r);
        }

        var sent = new List<PendingReturn>();
        var error = await Assert.ThrowsAsync<SpawnLimitException>(() => _memory.RemovePendingReturnsAsync(Child, r =>
        {
            if (r.RootId == "root-3")
            {
                throw new SpawnLimitException(r.RootId, 11, 10);
            }

            lock (sent)
            {
                sent.Add(r);
            }

            return Task.CompletedTask;
        }));

        Assert.Equal("root-3", error.RootId);
        Assert.Equal(returns.Where(r => r.RootId != "root-3").ToHashSet(), sent.ToHashSet());
        Assert.Equal(9, sent.Count);
        Assert.Null(await RawAsync());
    }

    [Fact]
    public async Task Another_send_failure_propagates_and_keeps_the_record_for_a_retry()
    {
        await _memory.AddPendingReturnAsync(Child, new PendingReturn("root", "parent", "t"));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _memory.RemovePendingReturnsAsync(Child, _ => throw new InvalidOperationException("queue down")));
        Assert.NotNull(await RawAsync());
    }

    [Fact]
    public async Task Call_record_read_retries_while_an_eventually_consistent_store_lags()
    {
        var inner = new InMemoryStore();
        var call = new Call("fib", TestSupport.Utf8("[{}]"), "lagging");
        await new Memory(inner).SetCallAsync(call);
        var lagging = new LaggingStore(inner, misses: 2);

        var read = await new Memory(lagging).GetCallAsync(call.CallHash);

        Assert.Equal("fib", read.TaskName);
        Assert.Equal(3, lagging.Reads);
    }

    [Fact]
    public async Task Call_record_missing_after_every_retry_is_call_not_found()
    {
        var lagging = new LaggingStore(new InMemoryStore(), misses: int.MaxValue);
        var error = await Assert.ThrowsAsync<CallNotFoundException>(() => new Memory(lagging).GetCallAsync("nowhere"));
        Assert.Equal("nowhere", error.CallHash);
        Assert.Equal(5, lagging.Reads);
    }

    [Fact]
    public async Task A_malformed_call_record_is_a_protocol_error()
    {
        await _store.SetAsync(MemKey.CallOf("bad"), TestSupport.Utf8("li2e1:r1:he"));
        await Assert.ThrowsAsync<ProtocolException>(() => _memory.GetCallAsync("bad"));
    }
}
