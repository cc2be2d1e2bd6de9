using Akka.Actor;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary><see cref="TaskContext.Sleep"/> where it cannot work: a queue that cannot delay messages.</summary>
public sealed class SleepSpecs
{
    private const string Topic = "naps";

    private static readonly BrrrTask<int, long> Sleeper = BrrrTask.Create<int, long>("sleeper", async (ctx, seconds) =>
        (await ctx.Sleep(TimeSpan.FromSeconds(seconds))).ToUnixTimeMilliseconds());

    private static readonly BrrrTask<int, int> Leaf = BrrrTask.Create<int, int>("leaf", (_, n) => Task.FromResult(n));

    private static readonly BrrrTask<int, int> DelayedCaller = BrrrTask.Create<int, int>("delayed-caller", (ctx, n) =>
        ctx.Call(Leaf, n, new ScheduleOptions { Delay = TimeSpan.FromSeconds(1) }));

    [Fact]
    public async Task A_sleep_on_a_queue_that_cannot_delay_fails_the_call_with_NotSupportedException_naming_the_queue()
    {
        await using var host = await StartOnQueueWithoutDelaysAsync();
        await host.Client.ScheduleAsync(Sleeper, 5, Topic);

        var failed = await Assert.ThrowsAsync<CallFailedException>(() => host.Client.WaitAsync(Sleeper, 5, TimeSpan.FromSeconds(30)));
        Assert.Equal(typeof(NotSupportedException).FullName, failed.Error.ErrorType);
        Assert.Contains("ctx.Sleep", failed.Error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(RefusingQueue), failed.Error.Message, StringComparison.Ordinal);
        Assert.False(await host.Client.Memory.HasValueAsync(SleepTimer.CallOf(host.Client.Codec, failed.Error.CallHash, 0, TimeSpan.FromSeconds(5)).CallHash));
    }

    [Fact]
    public async Task A_delayed_call_on_a_queue_that_cannot_delay_fails_the_caller_with_NotSupportedException_naming_the_queue()
    {
        await using var host = await StartOnQueueWithoutDelaysAsync();
        await host.Client.ScheduleAsync(DelayedCaller, 3, Topic);

        var failed = await Assert.ThrowsAsync<CallFailedException>(() => host.Client.WaitAsync(DelayedCaller, 3, TimeSpan.FromSeconds(30)));
        Assert.Equal(typeof(NotSupportedException).FullName, failed.Error.ErrorType);
        Assert.Contains(nameof(RefusingQueue), failed.Error.Message, StringComparison.Ordinal);
        Assert.False((await host.Client.ReadAsync(Leaf, 3)).Found);
    }

    private static Task<Contracts.FailureHost> StartOnQueueWithoutDelaysAsync()
    {
        var memory = BrrrBackends.InMemory();
        var backends = memory with { Queue = new RefusingQueue(memory.Queue, refusedTopic: "none") };
        var system = ActorSystem.Create("sleep-without-delays", InMemoryFailureSpecs.WorkerConfig);
        var worker = BrrrExtension.Get(system).StartWorker(backends, Topic, new TaskSet(Sleeper, DelayedCaller, Leaf));
        return Task.FromResult(new Contracts.FailureHost(backends.CreateClient(), new Stopper(worker, system)));
    }

    private sealed class Stopper(BrrrWorker worker, ActorSystem system) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync();
            await system.Terminate();
        }
    }
}
