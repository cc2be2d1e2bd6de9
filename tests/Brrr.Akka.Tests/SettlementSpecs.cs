using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>When a message counts as handled, and that it is never left held by a live worker.</summary>
public sealed class SettlementSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrTask<int, int> Leaf = BrrrTask.Create<int, int>("leaf", (_, a) => Task.FromResult(a * 2));

    public SettlementSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.retry-backoff-min = 10ms
        brrr.retry-backoff-max = 50ms
        brrr.call-timeout = 1s
        """))
    {
    }

    private static BrrrBackends With(IStore store) => BrrrBackends.InMemory() with { Store = store };

    private LocalBrrr Start(BrrrBackends backends) =>
        new(Sys, new Dictionary<string, TaskSet>(StringComparer.Ordinal) { ["t"] = new TaskSet(Leaf) }, backends);

    [Fact]
    public async Task A_call_counts_as_completed_only_once_its_value_is_stored()
    {
        var store = new FaultyValueStore(new InMemoryStore(), (n, write) => n <= 2 ? throw new IOException("store unavailable") : write());
        await using var brrr = Start(With(store));

        Assert.Equal(42, await brrr.RunAsync(Leaf, 21));

        await AwaitAssertAsync(() => Assert.Equal(1, brrr.Worker.Statistics.Completed), TimeSpan.FromSeconds(10));
        Assert.Equal(2, brrr.Worker.Statistics.Released);
        Assert.Equal(3, brrr.Executions["leaf"]);
    }

    [Fact]
    public async Task A_store_write_that_hangs_is_cut_by_the_call_timeout_and_the_call_completes_on_its_next_run()
    {
        // The first write never ends and ignores cancellation, the worst a store can do.
        var store = new FaultyValueStore(new InMemoryStore(), (n, write) => n == 1 ? new TaskCompletionSource<byte[]?>().Task : write());
        await using var brrr = Start(With(store));

        Assert.Equal(42, await brrr.RunAsync(Leaf, 21));

        // The failure reaches the collector through the event stream, which may come after the second run's value.
        await AwaitAssertAsync(() => Assert.Single(brrr.Failures), TimeSpan.FromSeconds(10));
        var timedOut = Assert.Single(brrr.Failures);
        Assert.True(timedOut.Released);
        Assert.IsType<TimeoutException>(timedOut.Error);
        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public async Task A_message_whose_failure_cannot_be_handled_goes_back_to_the_queue_instead_of_staying_held()
    {
        var backends = BrrrBackends.InMemory();
        var queue = new RefusingQueue(backends.Queue, "t:dead-letters");
        await using var brrr = Start(backends with { Queue = queue });

        // Not bencode: dead-lettered for good, but the queue refuses the dead letter every time.
        await queue.PushAsync("t", "garbage");
        await Eventually.HoldsAsync(() => brrr.Worker.Statistics.Released >= 2, "the message went back to the queue twice", TimeSpan.FromSeconds(10));
        await brrr.Worker.StopAsync();

        Assert.True(queue.Refused >= 2, $"refused {queue.Refused} time(s)");
        Assert.Equal(new QueueStats("t", 1, 0), await queue.GetStatsAsync("t"));
    }

    [Fact]
    public async Task A_stopped_worker_leaves_the_runtime()
    {
        var runtime = BrrrExtension.Get(Sys);
        var worker = runtime.StartWorker(BrrrBackends.InMemory(), "t", new TaskSet(Leaf));
        Assert.Contains(worker, runtime.Workers);

        await worker.StopAsync();

        Assert.DoesNotContain(worker, runtime.Workers);
    }
}
