using Akka.Configuration;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class ParallelismSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public ParallelismSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        brrr.topics.p5.parallelism = 5
        brrr.topics.p2.parallelism = 2
        """))
    {
    }

    [Fact]
    public async Task With_parallelism_5_five_calls_run_at_the_same_time()
    {
        var arrived = 0;
        var allFive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = BrrrTask.Create<int, bool>("wait", async (_, _) =>
        {
            if (Interlocked.Increment(ref arrived) == 5)
            {
                allFive.TrySetResult();
            }

            // A barrier of 5: only reachable when five runs are in flight together.
            var reached = await Task.WhenAny(allFive.Task, Task.Delay(TimeSpan.FromSeconds(20))) == allFive.Task;
            return reached;
        });
        var fan = BrrrTask.Create<int, bool[]>("fan", (ctx, n) => ctx.Gather(Enumerable.Range(0, n).Select(i => ctx.Call(wait, i))));
        await using var brrr = new LocalBrrr(Sys, "p5", fan, wait);

        var reached = await brrr.RunAsync(fan, 5, TimeSpan.FromSeconds(60));
        Assert.Equal(new[] { true, true, true, true, true }, reached);
    }

    [Fact]
    public async Task With_parallelism_2_never_more_than_two_calls_run_at_once()
    {
        var running = 0;
        var peak = 0;
        var work = BrrrTask.Create<int, int>("work", async (_, i) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(20);
            Interlocked.Decrement(ref running);
            return i;
        });
        var fan = BrrrTask.Create<int, int>("fan", async (ctx, n) => (await ctx.Gather(Enumerable.Range(0, n).Select(i => ctx.Call(work, i)))).Sum());
        await using var brrr = new LocalBrrr(Sys, "p2", fan, work);

        Assert.Equal(Enumerable.Range(0, 20).Sum(), await brrr.RunAsync(fan, 20));
        Assert.InRange(peak, 1, 2);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
