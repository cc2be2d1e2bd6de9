using Akka.Configuration;
using Brrr.Akka;
using Brrr.Contracts;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

public sealed class BoundedPullSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private const int Parallelism = 4;
    private const int Prefetch = 1;

    public BoundedPullSpecs() : base(ConfigurationFactory.ParseString(
        $"akka.loglevel = WARNING\nbrrr.topics.bulk.parallelism = {Parallelism}\nbrrr.topics.bulk.prefetch = {Prefetch}"))
    {
    }

    [Fact]
    public async Task With_10000_messages_queued_the_consumer_holds_at_most_parallelism_plus_prefetch_plus_one()
    {
        var backends = BrrrBackends.InMemory();
        var leaf = BrrrTask.Create<int, int>("leaf", async (_, i) =>
        {
            await Task.Delay(1);
            return i;
        });
        var client = backends.CreateClient();
        for (var i = 0; i < 10_000; i++)
        {
            await client.ScheduleAsync(leaf, i, "bulk");
        }

        var worker = global::Brrr.Akka.BrrrExtension.Get(Sys).StartWorker(backends, "bulk", new TaskSet(leaf));
        long peak = 0;
        await Eventually.HoldsAsync(
            async () =>
            {
                var stats = await backends.Queue.GetStatsAsync("bulk");
                peak = Math.Max(peak, stats.InFlight);
                return stats.Waiting == 0;
            },
            "the worker received every queued message",
            TimeSpan.FromSeconds(60));

        await AwaitAssertAsync(() => Assert.Equal(10_000, worker.Statistics.Completed), TimeSpan.FromSeconds(60));
        await worker.StopAsync();
        Assert.InRange(peak, Parallelism, Parallelism + Prefetch + 1);
    }
}
