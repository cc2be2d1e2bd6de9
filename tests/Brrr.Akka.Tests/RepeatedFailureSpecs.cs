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
}
