using Akka.Configuration;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.TestKit;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary>
/// A parent woken twice after its child failed (by a sibling's return and by the failure) fails twice: its second
/// failure writes its error record and sends its returns again, but pushes no second dead letter.
/// </summary>
public sealed class RepeatedFailureSpecs() : global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    akka.loglevel = OFF
    brrr.poll-timeout = 200ms
    """))
{
    private static readonly BrrrTask<int, int> Broken = BrrrTask.Create<int, int>("broken", (_, _) => throw new InvalidOperationException("kaput"),
        new TaskOptions { Attempts = 1 });

    private static readonly BrrrTask<int, int> Parent = BrrrTask.Create<int, int>("parent", async (ctx, n) => await ctx.Call(Broken, n) + 1);

    [Fact]
    public async Task A_call_that_fails_for_good_again_is_dead_lettered_once()
    {
        var queue = new InMemoryQueue();
        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet> { ["main"] = new(Parent, Broken) },
            new BrrrBackends(new InMemoryStore(), new InMemoryCache(), queue, JsonCodec.Default));
        var call = JsonCodec.Default.EncodeCall("parent", 1);
        await brrr.Client.ScheduleAsync(call, "main", "root-1");
        await Assert.ThrowsAsync<CallFailedException>(() => brrr.Client.WaitAsync(Parent, 1, TimeSpan.FromSeconds(20)));
        await AwaitAssertAsync(() => Assert.Equal(2, brrr.Worker.Statistics.Failed), TimeSpan.FromSeconds(10));

        // The second wake-up of the parent, as a sibling's return or a redelivery brings it.
        await brrr.Client.ScheduleAsync(call, "main", "root-1");
        await AwaitAssertAsync(() => Assert.Equal(3, brrr.Worker.Statistics.Failed), TimeSpan.FromSeconds(10));

        var letters = (await ((IQueueAdmin)queue).PeekAsync("main:dead-letters", 0, 100)).Select(DeadLetter.Parse).ToList();
        Assert.Single(letters, l => l.CallHash == call.CallHash);
        Assert.Single(letters, l => l.TaskName == "broken");
        Assert.Equal(CallState.Failed, (await brrr.Client.GetStatusAsync(Parent, 1)).State);
    }

    [Fact]
    public async Task Two_runs_of_a_call_that_fail_for_good_at_once_push_one_dead_letter()
    {
        // Two jobs of one call (two roots ask for it) run at once and both fail for good. Each looks up the call's value
        // (a call that has one gets no error record) before either stores an error record: the store holds those first
        // two reads until both came. Only the run whose error record is stored first may dead-letter the call.
        var queue = new InMemoryQueue();
        var call = JsonCodec.Default.EncodeCall("broken", 2);
        var store = new ReadsMeet(new InMemoryStore(), MemKey.ValueOf(call.CallHash), 2);
        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet> { ["main"] = new(Broken) },
            new BrrrBackends(store, new InMemoryCache(), queue, JsonCodec.Default));
        await brrr.Client.ScheduleAsync(call, "main", "root-a");
        await brrr.Client.ScheduleAsync(call, "main", "root-b");
        await AwaitAssertAsync(() => Assert.Equal(2, brrr.Worker.Statistics.Failed), TimeSpan.FromSeconds(20));

        Assert.True(store.Met, "the two runs did not read the value at the same time");
        var letters = (await ((IQueueAdmin)queue).PeekAsync("main:dead-letters", 0, 100)).Select(DeadLetter.Parse).ToList();
        Assert.Single(letters, l => l.CallHash == call.CallHash);
        Assert.Equal(CallState.Failed, (await brrr.Client.GetStatusAsync(Broken, 2)).State);
    }

    /// <summary>Holds the first <c>count</c> reads of <c>key</c> (get or has) until all of them came (or 10 s passed), then lets every read through.</summary>
    private sealed class ReadsMeet(IStore inner, MemKey key, int count) : Contracts.ForwardingStore(inner)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public bool Met => _all.Task.IsCompletedSuccessfully;

        public override async Task<byte[]?> GetAsync(MemKey read, CancellationToken cancellationToken = default)
        {
            await MeetAsync(read, cancellationToken).ConfigureAwait(false);
            return await base.GetAsync(read, cancellationToken).ConfigureAwait(false);
        }

        public override async Task<bool> HasAsync(MemKey read, CancellationToken cancellationToken = default)
        {
            await MeetAsync(read, cancellationToken).ConfigureAwait(false);
            return await base.HasAsync(read, cancellationToken).ConfigureAwait(false);
        }

        private async Task MeetAsync(MemKey read, CancellationToken cancellationToken)
        {
            if (read == key && Interlocked.Increment(ref _reads) <= count)
            {
                if (Volatile.Read(ref _reads) >= count)
                {
                    _all.TrySetResult();
                }

                await Task.WhenAny(_all.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)).ConfigureAwait(false);
            }
        }
    }
}
