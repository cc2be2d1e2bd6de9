using System.Diagnostics;
using Brrr.Bench.Counting;
using Brrr.Bench.Workloads;

namespace Brrr.Bench;

/// <summary>
/// One measured run: fresh backends and topic, the workers (W systems in this process or P worker processes), R roots
/// scheduled at once, wait, verify.
/// </summary>
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

    /// <summary>One run on <paramref name="processes"/>, or on worker systems in this process when it is null.</summary>
    public static async Task<RunResult> RunAsync(BenchOptions o, BenchBackends session, WorkerProcesses? processes)
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
        var client = run.Backends.CreateClient(o.SpawnLimit);
        var salts = Enumerable.Range(0, o.RootCount).Select(_ => Guid.NewGuid().ToString("N")[..16]).ToArray();
        await using IWorkerFleet fleet = processes is not null
            ? await ProcessFleet.StartAsync(processes, run, topic, workload, salts, o.SpawnLimit).ConfigureAwait(false)
            : InProcessFleet.Start(o, run, topic, workload, probe, salts);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(o.TimeoutSeconds));
        var redis0 = await session.RedisCommandsAsync().ConfigureAwait(false);
        var aws0 = session.AwsRequests();
        var bytes0 = session.ProxiedBytes();
        long? bytes1 = null;
        (long? Sqs, long DynamoDb)? aws1 = null;
        string? error = null;
        OpCounts? ops = null;
        long? redis1 = null;

        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(salts.Select(s => workload.ScheduleRootAsync(client, topic, s, cancel.Token))).ConfigureAwait(false);
            await fleet.WaitForRootsAsync(cancel.Token).ConfigureAwait(false);

            // Counted before the verifying reads below, which are the bench's, not the workflow's.
            ops = run.Snapshot();
            redis1 = await session.RedisCommandsAsync().ConfigureAwait(false);
            aws1 = session.AwsRequests();
            bytes1 = session.ProxiedBytes();
            var problems = await Task.WhenAll(salts.Select(s => workload.VerifyRootAsync(client, s, cancel.Token))).ConfigureAwait(false);
            error = problems.FirstOrDefault(p => p is not null);
        }
        catch (OperationCanceledException)
        {
            error = $"timed out after {o.TimeoutSeconds} s with {salts.Length - fleet.RootsDone} root(s) unfinished";
        }
        catch (Exception e) when (e is TimeoutException or SpawnLimitException or WorkerProcessException)
        {
            error = e.Message;
        }

        clock.Stop();
        IReadOnlyList<WorkerReport> reports = [];
        try
        {
            reports = await fleet.StopAsync().ConfigureAwait(false);
        }
        catch (WorkerProcessException e)
        {
            error ??= e.Message;
        }

        var failed = reports.Sum(r => r.Failed);
        if (error is null && failed > 0)
        {
            error = $"{failed} message(s) failed in the workers";
        }

        // A worker process counts its own operations; the bench's counters hold the scheduling client's (and, in-process, the workers').
        ops = reports.Select(r => r.Ops).OfType<OpCounts>().Aggregate(ops, (sum, worker) => sum?.Plus(worker));
        var wall = clock.Elapsed.TotalSeconds;
        var calls = workload.DistinctCallsPerRoot * salts.Length;
        var executions = reports.Sum(r => r.Executions);
        var usage = ResourceUsage.Combine(reports.Select(r => r.Usage).ToArray());
        var latencies = fleet.LatencySamplesMs();
        double PerCall(long count) => (double)count / calls;
        double? OpsPerCall(IReadOnlyDictionary<string, long>? counts) => counts is null ? null : PerCall(counts.Values.Sum());
        return new RunResult
        {
            Workload = workload.Name,
            Shape = workload.Shape,
            Backend = o.Backend,
            LatencyMs = o.LatencyMs > 0 ? o.LatencyMs : null,
            Workers = fleet.Systems,
            Processes = processes is null ? null : fleet.Systems,
            Parallelism = fleet.Parallelism,
            Roots = salts.Length,
            DistinctCalls = calls,
            Executions = executions,
            ExecutionsPerCall = PerCall(executions),
            Deferred = reports.Sum(r => r.Deferred),
            Skipped = reports.Sum(r => r.Skipped),
            WallSeconds = wall,
            CallsPerSecond = calls / wall,
            ExecutionsPerSecond = executions / wall,
            StoreOpsPerCall = OpsPerCall(ops?.Store),
            QueueOpsPerCall = OpsPerCall(ops?.Queue),
            CacheOpsPerCall = OpsPerCall(ops?.Cache),
            OpsPerCall = ops?.All.ToDictionary(p => p.Key, p => PerCall(p.Value), StringComparer.Ordinal),
            RedisCommandsPerCall = redis0 is { } r0 && redis1 is { } r1 ? PerCall(r1 - r0) : null,
            SqsRequestsPerCall = aws0?.Sqs is { } sqs0 && aws1?.Sqs is { } sqs1 ? PerCall(sqs1 - sqs0) : null,
            DynamoDbRequestsPerCall = aws0 is { } b0 && aws1 is { } b1 ? PerCall(b1.DynamoDb - b0.DynamoDb) : null,
            NetworkBytesPerCall = bytes0 is { } n0 && bytes1 is { } n1 ? PerCall(n1 - n0) : null,
            LatencyP50Ms = latencies is null ? null : Percentile(latencies, 0.50),
            LatencyP99Ms = latencies is null ? null : Percentile(latencies, 0.99),
            LatencySamples = latencies?.Length,
            ChildReturnsPerSecond = fleet.ChildReturnsPerSecond(),
            PeakRssMb = usage.PeakRssMb,
            WorkerRssMb = reports.Select(r => r.Usage.PeakRssMb).ToArray(),
            GcHeapMb = usage.GcHeapMb,
            GcHeapPeakMb = usage.GcHeapPeakMb,
            AllocatedKbPerCall = usage.AllocatedBytes / 1024.0 / calls,
            CpuSeconds = usage.CpuSeconds,
            CpuUsPerCall = usage.CpuSeconds * 1e6 / calls,
            JitUsPerCall = usage.JitSeconds * 1e6 / calls,
            GcPauseUsPerCall = usage.GcPauseSeconds * 1e6 / calls,
            Gen0Collections = usage.Gen0Collections,
            Gen2Collections = usage.Gen2Collections,
            Error = error,
            Command = o.CommandLine,
        };
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
