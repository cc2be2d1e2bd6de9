using System.Diagnostics;
using System.Text;
using Brrr.Backends;

namespace Brrr.Bench;

/// <summary>
/// The <c>store</c> workload: raw set/get throughput of the run's store, with no brrr runtime in between, so the
/// workflow figures can be read against what the store itself does (e.g. dynalite's own ops/s through the AWS SDK).
/// </summary>
internal static class StoreProbe
{
    public static async Task<int> RunAsync(BenchOptions o, BenchBackends session)
    {
        var run = await session.ForRunAsync().ConfigureAwait(false);
        var store = run.Backends.Store;
        var value = Encoding.UTF8.GetBytes(new string('x', 64));
        for (var round = 0; round < o.Warmup + o.Repeat; round++)
        {
            long sets = 0, gets = 0;
            var duration = TimeSpan.FromSeconds(o.Seconds);
            var clock = Stopwatch.StartNew();
            var loops = Enumerable.Range(0, o.Concurrency).Select(async loop =>
            {
                var i = 0;
                while (clock.Elapsed < duration)
                {
                    var key = MemKey.ValueOf($"probe-{round}-{loop}-{i++}");
                    await store.SetAsync(key, value).ConfigureAwait(false);
                    Interlocked.Increment(ref sets);
                    _ = await store.GetAsync(key).ConfigureAwait(false) ?? throw new InvalidOperationException($"{key} was not stored.");
                    Interlocked.Increment(ref gets);
                }
            });
            await Task.WhenAll(loops).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var kind = round < o.Warmup ? "warmup" : "run";
            Console.Out.WriteLine(
                $$"""{"kind":"{{kind}}","workload":"store","backend":"{{o.Backend}}","concurrency":{{o.Concurrency}},"wall_seconds":{{seconds:F3}},"store_ops_per_second":{{(sets + gets) / seconds:F0}},"sets":{{sets}},"gets":{{gets}},"command":"{{o.CommandLine}}"}""");
            Console.Error.WriteLine($"store {o.Backend} concurrency {o.Concurrency}: {(sets + gets) / seconds:F0} ops/s ({sets} set + {gets} get in {seconds:F2} s){(kind == "warmup" ? " [warmup]" : "")}");
        }

        return 0;
    }
}
