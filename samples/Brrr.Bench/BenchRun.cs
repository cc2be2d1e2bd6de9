using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Bench.Workloads;

namespace Brrr.Bench;

/// <summary>One measured run: fresh backends and topic, W worker systems, R roots scheduled at once, wait, verify.</summary>
internal static class BenchRun
{
    public static Workload CreateWorkload(BenchOptions o, RunProbe probe) => o.Workload switch
    {
        "fib" => new FibWorkload(probe, o.N ?? 15),
        "tree" => new TreeWorkload(probe, o.Branching, o.Depth ?? 4),
        "chain" => new ChainWorkload(probe, o.Depth ?? 1000),
        "fanout" => new FanoutWorkload(probe, o.N ?? 1000),
        _ => throw new ArgumentException($"No workload '{o.Workload}'."),
    };

    public static async Task<RunResult> RunAsync(BenchOptions o, BenchBackends session)
    {
        var probe = new RunProbe();
        var workload = CreateWorkload(o, probe);

        // Every call pushes its own job and re-queues its parent(s) when it completes: about 2-3 jobs per call.
        if (workload.DistinctCallsPerRoot * 2 > o.SpawnLimit)
        {
            throw new ArgumentException(
                $"A {workload.Name}({workload.Shape}) root makes {workload.DistinctCallsPerRoot} calls, about {workload.DistinctCallsPerRoot * 2}+ jobs: over the spawn limit {o.SpawnLimit}. Use more roots of a smaller shape, or raise --spawn-limit.");
        }

        var run = await session.ForRunAsync().ConfigureAwait(false);
        var topic = "bench-" + Guid.NewGuid().ToString("N")[..12];
        var config = ConfigurationFactory.ParseString(Hocon(o));
        var systems = Enumerable.Range(0, o.Workers).Select(i => ActorSystem.Create($"bench-{i}", config)).ToArray();
        var workers = systems.Select(s => BrrrExtension.Get(s).StartWorker(run.Backends, topic, workload.Tasks)).ToArray();
        var parallelism = workers[0].Settings.ForTopic(topic).Parallelism;
        var client = run.Backends.CreateClient(o.SpawnLimit);
        var salts = Enumerable.Range(0, o.RootCount).Select(_ => Guid.NewGuid().ToString("N")[..16]).ToArray();
        foreach (var salt in salts)
        {
            probe.ExpectRoot(salt);
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(o.TimeoutSeconds));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var rssReset = ProcessMemory.ResetPeak();
        var allocated0 = GC.GetTotalAllocatedBytes(precise: false);
        var (gen0, gen2) = (GC.CollectionCount(0), GC.CollectionCount(2));
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var redis0 = await session.RedisCommandsAsync().ConfigureAwait(false);
        using var heapSampler = new HeapSampler();
        string? error = null;
        IReadOnlyDictionary<string, long>? storeOps = null, queueOps = null, cacheOps = null;
        long? redis1 = null;

        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(salts.Select(s => workload.ScheduleRootAsync(client, topic, s, cancel.Token))).ConfigureAwait(false);
            await probe.AllRootsDone.WaitAsync(cancel.Token).ConfigureAwait(false);

            // Counted before the verifying reads below, which are the bench's, not the workflow's.
            (storeOps, queueOps, cacheOps) = (run.Store?.Snapshot(), run.Queue?.Snapshot(), run.Cache?.Snapshot());
            redis1 = await session.RedisCommandsAsync().ConfigureAwait(false);
            var problems = await Task.WhenAll(salts.Select(s => workload.VerifyRootAsync(client, s, cancel.Token))).ConfigureAwait(false);
            error = problems.FirstOrDefault(p => p is not null);
        }
        catch (OperationCanceledException)
        {
            error = $"timed out after {o.TimeoutSeconds} s with {salts.Length - probe.RootReturns} root(s) unfinished";
        }
        catch (Exception e) when (e is TimeoutException or SpawnLimitException)
        {
            error = e.Message;
        }

        clock.Stop();
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated0;
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        var heapPeak = Math.Max(heapSampler.Stop(), GC.GetTotalMemory(false));
        var peakRss = ProcessMemory.PeakRssBytes(rssReset);
        var executions = workers.Sum(w => w.Statistics.Executions);
        var deferred = workers.Sum(w => w.Statistics.Deferred);
        var skipped = workers.Sum(w => w.Statistics.Skipped);
        var failed = workers.Sum(w => w.Statistics.Failed);
        if (error is null && failed > 0)
        {
            error = $"{failed} message(s) failed in the workers";
        }

        await Task.WhenAll(workers.Select(w => w.StopAsync())).ConfigureAwait(false);
        await Task.WhenAll(systems.Select(s => s.Terminate())).ConfigureAwait(false);

        var calls = workload.DistinctCallsPerRoot * salts.Length;
        var latencies = probe.LatencySamplesMs();
        double PerCall(long count) => (double)count / calls;
        Dictionary<string, double>? opsPerCall = null;
        if (storeOps is not null && queueOps is not null && cacheOps is not null)
        {
            opsPerCall = storeOps.Concat(queueOps).Concat(cacheOps).ToDictionary(p => p.Key, p => PerCall(p.Value), StringComparer.Ordinal);
        }

        return new RunResult
        {
            Workload = workload.Name,
            Shape = workload.Shape,
            Backend = o.Backend,
            Workers = o.Workers,
            Parallelism = parallelism,
            Roots = salts.Length,
            DistinctCalls = calls,
            Executions = executions,
            ExecutionsPerCall = PerCall(executions),
            Deferred = deferred,
            Skipped = skipped,
            WallSeconds = wall,
            CallsPerSecond = calls / wall,
            ExecutionsPerSecond = executions / wall,
            StoreOpsPerCall = storeOps is null ? null : PerCall(storeOps.Values.Sum()),
            QueueOpsPerCall = queueOps is null ? null : PerCall(queueOps.Values.Sum()),
            CacheOpsPerCall = cacheOps is null ? null : PerCall(cacheOps.Values.Sum()),
            OpsPerCall = opsPerCall,
            RedisCommandsPerCall = redis0 is { } r0 && redis1 is { } r1 ? PerCall(r1 - r0) : null,
            LatencyP50Ms = Percentile(latencies, 0.50),
            LatencyP99Ms = Percentile(latencies, 0.99),
            LatencySamples = latencies.Length,
            PeakRssMb = peakRss / 1048576.0,
            GcHeapMb = heap / 1048576.0,
            GcHeapPeakMb = heapPeak / 1048576.0,
            AllocatedKbPerCall = allocated / 1024.0 / calls,
            CpuSeconds = cpu,
            CpuUsPerCall = cpu * 1e6 / calls,
            Gen0Collections = GC.CollectionCount(0) - gen0,
            Gen2Collections = GC.CollectionCount(2) - gen2,
            Error = error,
            Command = o.CommandLine,
        };
    }

    private static string Hocon(BenchOptions o)
    {
        var lines = new List<string>
        {
            "akka.loglevel = WARNING",
            "akka.stdout-loglevel = WARNING",
            "akka.log-dead-letters = off",
            "akka.log-dead-letters-during-shutdown = off",
            string.Create(CultureInfo.InvariantCulture, $"brrr.spawn-limit = {o.SpawnLimit}"),
        };
        if (o.Parallelism is { } p)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"brrr.topic-defaults.parallelism = {p}"));
        }

        if (o.Hocon is not null)
        {
            lines.Add(o.Hocon);
        }

        return string.Join('\n', lines);
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
