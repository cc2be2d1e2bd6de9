using Akka.Configuration;
using Brrr.Akka;
using Brrr.Protocol;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class FailureSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrTask<int, int> Bar = BrrrTask.Create<int, int>("bar", (_, a) => Task.FromResult(a == 123 ? 456 : -1));
    private static readonly BrrrTask<int, int> Foo = BrrrTask.Create<int, int>("foo", async (ctx, a) => await ctx.Call(Bar, a + 1) + 1);
    private static readonly BrrrTask<int, int> Boom = BrrrTask.Create<int, int>("boom", (_, _) => throw new InvalidOperationException("boom!"));

    public FailureSpecs() : base(ConfigurationFactory.ParseString("akka.loglevel = OFF"))
    {
    }

    [Fact]
    public async Task A_throwing_task_an_unknown_task_and_garbage_do_not_stop_the_worker()
    {
        await using var brrr = new LocalBrrr(Sys, "t", Foo, Bar, Boom);
        var queue = brrr.Backends.Queue;

        await queue.PushAsync("t", "this is not bencode");
        await queue.PushAsync("t", new ScheduleMessage("root-x", "no-call-record-here").ToWire());
        await brrr.Backends.Store.SetAsync(MemKey.CallOf("corrupt"), [0x64, 0x31]);
        await queue.PushAsync("t", new ScheduleMessage("root-y", "corrupt").ToWire());
        await brrr.Client.ScheduleAsync(BrrrTask.Ref<int, int>("nope"), 1, "t");
        var boom = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Boom, 1));
        Assert.Equal("boom!", Assert.IsType<TaskFailedException>(boom.Failure.Error).InnerException!.Message);

        Assert.Equal(457, await brrr.RunAsync(Foo, 122));

        await AwaitAssertAsync(() => Assert.Equal(5, brrr.Failures.Count), TimeSpan.FromSeconds(10));
        var failures = brrr.Failures;
        Assert.All(failures, f => Assert.False(f.Released));
        Assert.Contains(failures, f => f.Message == "this is not bencode" && f.Error is ProtocolException);
        Assert.Contains(failures, f => f.CallHash == "no-call-record-here" && f.Error is CallNotFoundException);
        Assert.Contains(failures, f => f.CallHash == "corrupt" && f.Error is ProtocolException);
        Assert.Contains(failures, f => f.TaskName == "nope" && f.Error is TaskNotFoundException);
        Assert.Contains(failures, f => f.TaskName == "boom" && f.Error is TaskFailedException);
        Assert.Equal(new QueueStatsView(0, 0), await StatsAsync(brrr));
    }

    private static async Task<QueueStatsView> StatsAsync(LocalBrrr brrr)
    {
        var stats = await brrr.Backends.Queue.GetStatsAsync("t");
        return new QueueStatsView(stats.Waiting, stats.InFlight);
    }

    private sealed record QueueStatsView(long Waiting, long InFlight);
}
