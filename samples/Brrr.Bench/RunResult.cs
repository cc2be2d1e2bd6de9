using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brrr.Bench;

/// <summary>The figures of one run (or the medians of several: <see cref="Kind"/> = <c>median</c>).</summary>
internal sealed record RunResult
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Kind { get; init; } = "run";
    public string Workload { get; init; } = "";
    public string Shape { get; init; } = "";
    public string Backend { get; init; } = "";

    /// <summary>The round-trip delay <c>--latency-ms</c> added to Redis and DynamoDB, null without one.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Worker ActorSystems in all (with <see cref="Processes"/>, one per process).</summary>
    public int Workers { get; init; }

    /// <summary>Worker processes (<c>--processes</c>), null when the workers ran in the bench's process.</summary>
    public int? Processes { get; init; }
    public int Parallelism { get; init; }
    public int Roots { get; init; }
    public int Runs { get; init; } = 1;
    public long DistinctCalls { get; init; }
    public double Executions { get; init; }
    public double ExecutionsPerCall { get; init; }
    public double Deferred { get; init; }

    /// <summary>Parent jobs not run because a child they wait for was still missing (parent debouncing).</summary>
    public double Skipped { get; init; }
    public double WallSeconds { get; init; }
    public double CallsPerSecond { get; init; }
    public double ExecutionsPerSecond { get; init; }

    /// <summary>Store requests per distinct call (with --count-ops).</summary>
    public double? StoreOpsPerCall { get; init; }

    /// <summary>Queue requests per distinct call, empty polls included (with --count-ops).</summary>
    public double? QueueOpsPerCall { get; init; }

    /// <summary>Cache (spawn counter) requests per distinct call (with --count-ops).</summary>
    public double? CacheOpsPerCall { get; init; }

    /// <summary>Per-operation counts per distinct call (with --count-ops).</summary>
    public IReadOnlyDictionary<string, double>? OpsPerCall { get; init; }

    /// <summary>
    /// Commands the Redis server processed per distinct call (INFO total_commands_processed; every command is one round
    /// trip unless pipelined). With <see cref="Processes"/> this includes the bench's completion polls (one read per 5 ms).
    /// </summary>
    public double? RedisCommandsPerCall { get; init; }

    /// <summary>
    /// HTTP requests sent to SQS per distinct call (sqs-dynamo): sends, receives (long polls that came back empty
    /// included), deletes and visibility changes; a batch request counts once, as AWS bills it.
    /// </summary>
    public double? SqsRequestsPerCall { get; init; }

    /// <summary>
    /// Bytes between the workers (and the scheduling client) and the servers per distinct call, both directions, as the
    /// <c>--latency-ms</c> proxy forwarded them (TCP payload: no headers); null without <c>--latency-ms</c>.
    /// </summary>
    public double? NetworkBytesPerCall { get; init; }

    /// <summary>HTTP requests sent to DynamoDB per distinct call (sqs-dynamo: store and cache; redis-dynamo: the store, workers in this process), a batch request counting once.</summary>
    public double? DynamoDbRequestsPerCall { get; init; }

    /// <summary>
    /// Child handler returns per second from the first to the last (<see cref="RunProbe.ChildReturnsPerSecond"/>): with a
    /// rate limit on the child task, the rate the fleet held. Null for process runs, as latency.
    /// </summary>
    public double? ChildReturnsPerSecond { get; init; }

    /// <summary>Child→parent latency (see <see cref="RunProbe"/>); null for process runs, whose workers have clocks of their own.</summary>
    public double? LatencyP50Ms { get; init; }

    /// <inheritdoc cref="LatencyP50Ms"/>
    public double? LatencyP99Ms { get; init; }

    /// <inheritdoc cref="LatencyP50Ms"/>
    public double? LatencySamples { get; init; }

    /// <summary>
    /// Peak resident set of the process that ran the workers (VmHWM after a reset at the run's start); with
    /// <see cref="Processes"/>, of the largest worker process. From here to <see cref="Gen2Collections"/> the figures
    /// are the worker processes' (not the bench's, which only schedules and polls): CPU, allocations and collections
    /// add up, heaps are the largest.
    /// </summary>
    public double PeakRssMb { get; init; }

    /// <summary>Peak resident set of each process that ran workers, in order (one entry for an in-process run).</summary>
    public IReadOnlyList<double> WorkerRssMb { get; init; } = [];

    /// <summary>GC heap size after the run (GCMemoryInfo.HeapSizeBytes).</summary>
    public double GcHeapMb { get; init; }

    /// <summary>Largest GC heap seen by a 20 ms sampler during the run.</summary>
    public double GcHeapPeakMb { get; init; }

    /// <summary>Bytes allocated per distinct call, in KB.</summary>
    public double AllocatedKbPerCall { get; init; }

    /// <summary>CPU time of the process(es) that ran the workers during the run.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>CPU time per distinct call, microseconds.</summary>
    public double CpuUsPerCall { get; init; }

    /// <summary>Of the run's time, what the JIT compiler took (code run for the first time), per distinct call, microseconds.</summary>
    public double JitUsPerCall { get; init; }

    /// <summary>Of the run's time, what garbage-collection pauses took, per distinct call, microseconds (wall time of the pauses).</summary>
    public double GcPauseUsPerCall { get; init; }

    public double Gen0Collections { get; init; }
    public double Gen2Collections { get; init; }
    public string? Error { get; init; }
    public string Command { get; init; } = "";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The medians of <paramref name="runs"/> (all of one configuration).</summary>
    public static RunResult Median(IReadOnlyList<RunResult> runs)
    {
        double M(Func<RunResult, double> f) => MedianOf(runs.Select(f));
        double? N(Func<RunResult, double?> f) => runs.All(r => f(r) is null) ? null : MedianOf(runs.Select(r => f(r) ?? 0));
        var first = runs[0];
        return first with
        {
            Kind = "median",
            Runs = runs.Count,
            Executions = M(r => r.Executions),
            ExecutionsPerCall = M(r => r.ExecutionsPerCall),
            Deferred = M(r => r.Deferred),
            Skipped = M(r => r.Skipped),
            WallSeconds = M(r => r.WallSeconds),
            CallsPerSecond = M(r => r.CallsPerSecond),
            ExecutionsPerSecond = M(r => r.ExecutionsPerSecond),
            StoreOpsPerCall = N(r => r.StoreOpsPerCall),
            QueueOpsPerCall = N(r => r.QueueOpsPerCall),
            CacheOpsPerCall = N(r => r.CacheOpsPerCall),
            OpsPerCall = first.OpsPerCall?.Keys.ToDictionary(k => k, k => M(r => r.OpsPerCall?.GetValueOrDefault(k) ?? 0), StringComparer.Ordinal),
            RedisCommandsPerCall = N(r => r.RedisCommandsPerCall),
            SqsRequestsPerCall = N(r => r.SqsRequestsPerCall),
            DynamoDbRequestsPerCall = N(r => r.DynamoDbRequestsPerCall),
            NetworkBytesPerCall = N(r => r.NetworkBytesPerCall),
            LatencyP50Ms = N(r => r.LatencyP50Ms),
            LatencyP99Ms = N(r => r.LatencyP99Ms),
            LatencySamples = N(r => r.LatencySamples),
            ChildReturnsPerSecond = N(r => r.ChildReturnsPerSecond),
            PeakRssMb = M(r => r.PeakRssMb),
            WorkerRssMb = first.WorkerRssMb.Select((_, i) => M(r => r.WorkerRssMb.ElementAtOrDefault(i))).ToArray(),
            GcHeapMb = M(r => r.GcHeapMb),
            GcHeapPeakMb = M(r => r.GcHeapPeakMb),
            AllocatedKbPerCall = M(r => r.AllocatedKbPerCall),
            CpuSeconds = M(r => r.CpuSeconds),
            CpuUsPerCall = M(r => r.CpuUsPerCall),
            JitUsPerCall = M(r => r.JitUsPerCall),
            GcPauseUsPerCall = M(r => r.GcPauseUsPerCall),
            Gen0Collections = M(r => r.Gen0Collections),
            Gen2Collections = M(r => r.Gen2Collections),
            Error = runs.Select(r => r.Error).FirstOrDefault(e => e is not null),
        };
    }

    public static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static string TableHeader =>
        string.Format(CultureInfo.InvariantCulture, "{0,-7} {1,-8} {2,-13} {3,-14} {4,3} {5,3} {6,8} {7,8} {8,6} {9,9} {10,9} {11,7} {12,7} {13,7} {14,8} {15,8} {16,8} {17,8}",
            "kind", "workload", "shape", "backend", "W", "P", "calls", "wall_s", "exec/c", "calls/s", "exec/s", "st/c", "q/c", "redis/c", "p50_ms", "p99_ms", "rss_mb", "heap_mb");

    public string ToTableRow() =>
        string.Format(CultureInfo.InvariantCulture, "{0,-7} {1,-8} {2,-13} {3,-14} {4,3} {5,3} {6,8} {7,8:F3} {8,6:F2} {9,9:F0} {10,9:F0} {11,7} {12,7} {13,7} {14,8} {15,8} {16,8:F1} {17,8:F1}{18}",
            Kind, Workload, Shape + (Roots > 1 ? $"x{Roots}" : ""), Backend + (LatencyMs is { } l ? string.Create(CultureInfo.InvariantCulture, $"+{l}ms") : ""), Processes is { } p ? $"{p}p" : Workers.ToString(CultureInfo.InvariantCulture), Parallelism, DistinctCalls, WallSeconds, ExecutionsPerCall, CallsPerSecond, ExecutionsPerSecond,
            Opt(StoreOpsPerCall), Opt(QueueOpsPerCall), Opt(RedisCommandsPerCall), Opt(LatencyP50Ms), Opt(LatencyP99Ms), PeakRssMb, GcHeapMb,
            Error is null ? "" : "  ERROR: " + Error);

    private static string Opt(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
}
