using System.Text;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>
/// The timers of <see cref="TaskContext.Sleep"/> on one <see cref="CallProcessor"/>: the due record is written once,
/// a redelivered sleeper re-schedules its timer at that due time, and a timer job delivered early does not complete.
/// </summary>
public sealed class SleepTimerTests
{
    private const string Topic = "naps";
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private readonly InMemoryStore _store = new();
    private readonly InMemoryQueue _queue = new();
    private readonly BrrrClient _client;
    private readonly CallProcessor _processor;
    private readonly BrrrTask<int, long> _sleeper;
    private readonly TaskSet _tasks;

    public SleepTimerTests()
    {
        _client = new BrrrClient(_store, new InMemoryCache(), _queue);
        _processor = new CallProcessor(_client.Memory, _client.Jobs, JsonCodec.Default);
        _sleeper = BrrrTask.Create<int, long>("sleeper", async (ctx, n) => (await ctx.Sleep(Delay)).ToUnixTimeMilliseconds() + n);
        _tasks = new TaskSet(_sleeper);
    }

    [Fact]
    public async Task The_due_record_keeps_the_first_time_written_and_refuses_bytes_that_are_not_unix_milliseconds()
    {
        var first = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        Assert.Equal(first, await _client.Memory.SetDueIfAbsentAsync("t1", first));
        Assert.Equal(first, await _client.Memory.SetDueIfAbsentAsync("t1", first.AddHours(1)));
        Assert.Equal(first, await _client.Memory.GetDueAsync("t1"));
        Assert.Equal("1700000000123", Encoding.ASCII.GetString((await _store.GetAsync(MemKey.DueOf("t1")))!));
        Assert.Equal("due", MemKey.DueOf("t1").TypeWord);
        Assert.Null(await _client.Memory.GetDueAsync("t2"));

        await _store.SetAsync(MemKey.DueOf("t3"), Encoding.ASCII.GetBytes("-5"));
        var error = await Assert.ThrowsAsync<ProtocolException>(() => _client.Memory.GetDueAsync("t3"));
        Assert.Contains("t3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timers_differ_by_sleeping_call_by_rank_and_by_delay()
    {
        var codec = JsonCodec.Default;
        var hashes = new[]
        {
            SleepTimer.CallOf(codec, "p1", 0, Delay), SleepTimer.CallOf(codec, "p2", 0, Delay),
            SleepTimer.CallOf(codec, "p1", 1, Delay), SleepTimer.CallOf(codec, "p1", 0, Delay * 2),
        }.Select(c => c.CallHash);
        Assert.Equal(4, hashes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(SleepTimer.CallOf(codec, "p1", 0, Delay), SleepTimer.CallOf(codec, "p1", 0, Delay));
        Assert.Equal("brrr.sleep", SleepTimer.CallOf(codec, "p1", 0, Delay).TaskName);
    }

    [Fact]
    public async Task A_redelivered_sleeper_re_schedules_its_timer_at_the_first_due_time_and_a_timer_run_early_is_delayed_again()
    {
        await _client.ScheduleAsync(_sleeper, 1, Topic);
        await using var consumer = _queue.CreateConsumer(Topic);
        var first = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        var deferred = Assert.IsType<CallDeferred>(await _processor.HandleAsync(first, _tasks));
        var timer = Assert.Single(deferred.Children).Call;
        var due = (await _client.Memory.GetDueAsync(timer.CallHash))!.Value;
        Assert.Equal(1, await _queue.CountDelayedAsync(Topic));

        // The redelivered sleeper schedules its timer again (forceSchedule), at the stored due time, not a later one.
        await consumer.ReleaseAsync(first);
        var again = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.True(again.Redelivered);
        Assert.IsType<CallDeferred>(await _processor.HandleAsync(again, _tasks));
        await consumer.AckAsync(again);
        Assert.Equal(due, await _client.Memory.GetDueAsync(timer.CallHash));
        Assert.Equal(2, await _queue.CountDelayedAsync(Topic));

        // A copy of the timer's job delivered now, before it is due, does not complete: it is delayed again.
        var root = ScheduleMessage.FromWire(again.Message).RootId;
        await _queue.PushAsync(Topic, new ScheduleMessage(root, timer.CallHash).ToWire());
        var early = (await consumer.ReceiveAsync(TimeSpan.Zero))!;
        Assert.Same(CallStillWaiting.Instance, await _processor.HandleAsync(early, _tasks));
        await consumer.AckAsync(early);
        Assert.False(await _client.Memory.HasValueAsync(timer.CallHash));
        Assert.Equal(3, await _queue.CountDelayedAsync(Topic));

        // Nothing is due before the first due time; then all three copies are, and the first to run wakes the sleeper.
        Assert.Equal(0, await _queue.PromoteDueAsync(Topic, 10));
        var wait = due - DateTimeOffset.UtcNow;
        await Task.Delay(wait > TimeSpan.Zero ? wait + TimeSpan.FromMilliseconds(20) : TimeSpan.Zero);
        Assert.Equal(3, await _queue.PromoteDueAsync(Topic, 10));
        var completed = Assert.IsType<CallCompleted>(await _processor.HandleAsync((await consumer.ReceiveAsync(TimeSpan.Zero))!, _tasks));
        Assert.Equal(due.ToUnixTimeMilliseconds(), JsonCodec.Default.DecodeReturn<long>(timer.TaskName, completed.Value));
    }
}
