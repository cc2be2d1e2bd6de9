using Akka.Configuration;
using Brrr.Akka;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

public sealed class ShutdownSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public ShutdownSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        brrr.shutdown-timeout = 300ms
        brrr.topic-defaults.parallelism = 2
        brrr.topic-defaults.prefetch = 1
        """))
    {
    }

    [Fact]
    public async Task Stopping_lets_quick_calls_finish_and_gives_unfinished_messages_back_to_the_queue()
    {
        var backends = BrrrBackends.InMemory();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var slow = BrrrTask.Create<int, int>("slow", async (ctx, i) =>
        {
            Interlocked.Increment(ref started);
            await release.Task.WaitAsync(ctx.CancellationToken);
            return i;
        });
        var client = backends.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await client.ScheduleAsync(slow, i, "t");
        }

        var worker = BrrrExtension.Get(Sys).StartWorker(backends, "t", new TaskSet(slow));
        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref started) == 2), TimeSpan.FromSeconds(10));

        await worker.StopAsync();

        // Two calls were running and cancelled, one was prefetched, two never left the queue: all five wait again.
        var stats = await backends.Queue.GetStatsAsync("t");
        Assert.Equal(5, stats.Waiting);
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(0, worker.Statistics.Completed);
        Assert.Equal(0, worker.InFlightCount);
    }

    [Fact]
    public async Task Coordinated_shutdown_stops_the_worker_after_in_flight_calls_finish()
    {
        var backends = BrrrBackends.InMemory();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = BrrrTask.Create<int, int>("held", async (_, i) =>
        {
            started.TrySetResult();
            await release.Task;
            return i * 2;
        });
        var worker = BrrrExtension.Get(Sys).StartWorker(backends, "t", new TaskSet(held));
        var client = backends.CreateClient();
        await client.ScheduleAsync(held, 21, "t");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var shutdown = global::Akka.Actor.CoordinatedShutdown.Get(Sys).Run(global::Akka.Actor.CoordinatedShutdown.ClrExitReason.Instance);
        release.SetResult();
        await shutdown;

        Assert.Equal(new ReadResult<int>(true, 42), await client.ReadAsync(held, 21));
        Assert.Equal(1, worker.Statistics.Completed);
        var stats = await backends.Queue.GetStatsAsync("t");
        Assert.Equal(new QueueStatsSnapshot(0, 0), new QueueStatsSnapshot(stats.Waiting, stats.InFlight));
    }

    private sealed record QueueStatsSnapshot(long Waiting, long InFlight);
}
