using System.Diagnostics;
using System.Text;
using Brrr.Backends;

namespace Brrr.Bench;

/// <summary>
/// The <c>store</c> and <c>queue</c> workloads: raw throughput of the run's store (set + get of fresh keys) or queue
/// (push + receive + acknowledge on a topic per loop), with no brrr runtime in between, so the workflow figures can be
/// read against what the backends themselves do (e.g. dynalite's own ops/s through the AWS SDK). C concurrent loops
/// for S seconds per round; ops are sets + gets, or pushes + pops.
/// </summary>
internal static class BackendProbe
{
    private static readonly byte[] Value = Encoding.UTF8.GetBytes(new string('x', 64));

    public static async Task<int> RunAsync(BenchOptions o, BenchBackends session)
    {
        var run = await session.ForRunAsync().ConfigureAwait(false);
        Func<int, int, Func<bool>, Task<long>> loop = o.Workload == "queue"
            ? (round, index, going) => QueueLoopAsync(run.Backends.Queue, $"probe-{Guid.NewGuid():N}", going)
            : (round, index, going) => StoreLoopAsync(run.Backends.Store, $"probe-{round}-{index}", going);
        for (var round = 0; round < o.Warmup + o.Repeat; round++)
        {
            var duration = TimeSpan.FromSeconds(o.Seconds);
            var clock = Stopwatch.StartNew();
            var current = round;
            var counts = await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(i => loop(current, i, () => clock.Elapsed < duration)))
                .ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var ops = counts.Sum();
            var kind = round < o.Warmup ? "warmup" : "run";
            Console.Out.WriteLine(
                $$"""{"kind":"{{kind}}","workload":"{{o.Workload}}","backend":"{{o.Backend}}","concurrency":{{o.Concurrency}},"wall_seconds":{{seconds:F3}},"ops_per_second":{{ops / seconds:F0}},"ops":{{ops}},"command":"{{o.CommandLine}}"}""");
            Console.Error.WriteLine($"{o.Workload} {o.Backend} concurrency {o.Concurrency}: {ops / seconds:F0} ops/s ({ops} in {seconds:F2} s){(kind == "warmup" ? " [warmup]" : "")}");
        }

        return 0;
    }

    private static async Task<long> StoreLoopAsync(IStore store, string prefix, Func<bool> going)
    {
        long ops = 0;
        for (var i = 0; going(); i++)
        {
            var key = MemKey.ValueOf($"{prefix}-{i}");
            await store.SetAsync(key, Value).ConfigureAwait(false);
            _ = await store.GetAsync(key).ConfigureAwait(false) ?? throw new InvalidOperationException($"{key} was not stored.");
            ops += 2;
        }

        return ops;
    }

    private static async Task<long> QueueLoopAsync(IQueue queue, string topic, Func<bool> going)
    {
        long ops = 0;
        await using var consumer = queue.CreateConsumer(topic);
        for (var i = 0; going(); i++)
        {
            var message = $"m{i}";
            await queue.PushAsync(topic, message).ConfigureAwait(false);
            var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (delivery?.Message != message)
            {
                throw new InvalidOperationException($"Pushed {message} on {topic}, received {delivery?.Message ?? "nothing"}.");
            }

            await consumer.AckAsync(delivery).ConfigureAwait(false);
            ops += 2;
        }

        return ops;
    }
}
