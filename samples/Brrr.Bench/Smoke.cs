using System.Diagnostics;
using Brrr.Bench.Servers;

namespace Brrr.Bench;

/// <summary>
/// <c>--smoke</c>: every workload once on the in-memory backend at tiny sizes, one and two worker systems; each root's
/// stored value is checked (fib values, tree leaf counts, chain lengths, fanout sums); then the <c>--latency-ms</c>
/// proxy (<see cref="LatencyProxyCheck"/>). Meant for CI: a few seconds.
/// </summary>
internal static class Smoke
{
    public static async Task<int> RunAsync(BenchOptions baseOptions)
    {
        BenchOptions[] cases =
        [
            baseOptions with { Workload = "fib", N = 10, Roots = 4, Warmup = 0, Repeat = 1, CountOps = true },
            baseOptions with { Workload = "fib", N = 12, Roots = 3, Workers = 2, Parallelism = 4, Warmup = 0, Repeat = 1 },
            baseOptions with { Workload = "tree", Branching = 3, Depth = 3, Roots = 3, Warmup = 0, Repeat = 1, CountOps = true },
            baseOptions with { Workload = "chain", Depth = 40, Roots = 2, Warmup = 0, Repeat = 1 },
            baseOptions with { Workload = "fanout", N = 50, Roots = 1, Warmup = 0, Repeat = 1, Workers = 2 },
        ];
        var clock = Stopwatch.StartNew();
        var failures = 0;
        Console.Error.WriteLine(RunResult.TableHeader);
        foreach (var options in cases)
        {
            var o = options with { Backend = "memory", TimeoutSeconds = 20, CommandLine = Describe(options) };
            await using var session = await BenchBackends.StartAsync(o).ConfigureAwait(false);
            var result = await BenchRun.RunAsync(o, session, processes: null).ConfigureAwait(false);
            Console.Out.WriteLine(result.ToJson());
            Console.Error.WriteLine(result.ToTableRow());
            if (result.Error is not null || result.Executions < result.DistinctCalls || result.LatencySamples is null or 0)
            {
                failures++;
                Console.Error.WriteLine($"SMOKE FAILED: {o.CommandLine}: {result.Error ?? "too few executions or no latency samples"}");
            }
        }

        if (await LatencyProxyCheck.RunAsync().ConfigureAwait(false) is { } proxyFailure)
        {
            failures++;
            Console.Error.WriteLine($"SMOKE FAILED: {proxyFailure}");
        }

        Console.Error.WriteLine(failures == 0
            ? $"smoke: {cases.Length} workloads and the latency proxy verified in {clock.Elapsed.TotalSeconds:F1} s"
            : $"smoke: {failures} of {cases.Length + 1} checks failed");
        return failures == 0 ? 0 : 1;
    }

    private static string Describe(BenchOptions o) => o.Workload switch
    {
        "tree" => $"--smoke case: --workload tree --branching {o.Branching} --depth {o.Depth} --roots {o.RootCount} --workers {o.Workers}",
        "chain" => $"--smoke case: --workload chain --depth {o.Depth} --roots {o.RootCount} --workers {o.Workers}",
        _ => $"--smoke case: --workload {o.Workload} --n {o.N} --roots {o.RootCount} --workers {o.Workers}",
    };
}
