using System.Diagnostics;

namespace Brrr.Bench;

/// <summary>
/// What this process uses between <see cref="Start"/> and <see cref="Stop"/>: peak RSS, CPU time, allocations, GC heap
/// and collections. Used around the in-process workers of a run and inside each worker process.
/// </summary>
internal sealed class ResourceMeter : IDisposable
{
    private const double Mb = 1048576.0;
    private readonly bool _rssReset = ProcessMemory.ResetPeak();
    private readonly long _allocated0 = GC.GetTotalAllocatedBytes(precise: false);
    private readonly int _gen0 = GC.CollectionCount(0);
    private readonly int _gen2 = GC.CollectionCount(2);
    private readonly TimeSpan _cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly TimeSpan _jit0 = System.Runtime.JitInfo.GetCompilationTime();
    private readonly TimeSpan _gcPause0 = GC.GetTotalPauseDuration();
    private readonly HeapSampler _heap = new();

    private ResourceMeter()
    {
    }

    /// <summary>
    /// Collects the garbage left from setting up (so the run starts from a settled heap), waits for the finalizers that
    /// the collections queue (each full collection has the runtime trim its array pools on the finalizer thread, which
    /// would otherwise run, and count, during the measured run), then starts measuring.
    /// </summary>
    public static ResourceMeter Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return new ResourceMeter();
    }

    /// <summary>What the process used since <see cref="Start"/>.</summary>
    public ResourceUsage Stop()
    {
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpu0).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocated0;
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        var heapPeak = Math.Max(_heap.Stop(), GC.GetTotalMemory(false));
        return new ResourceUsage(
            ProcessMemory.PeakRssBytes(_rssReset) / Mb, cpu, allocated, heap / Mb, heapPeak / Mb,
            GC.CollectionCount(0) - _gen0, GC.CollectionCount(2) - _gen2)
        {
            JitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - _jit0).TotalSeconds,
            GcPauseSeconds = (GC.GetTotalPauseDuration() - _gcPause0).TotalSeconds,
        };
    }

    public void Dispose() => _heap.Dispose();

    /// <summary>Samples the GC heap every 20 ms and keeps the largest value.</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public HeapSampler() => _timer = new Timer(_ => Sample(), null, 0, 20);

        public long Stop()
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            Sample();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var now = GC.GetTotalMemory(false);
            long seen;
            while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
        }
    }
}

/// <summary>
/// What one process used during a run (<see cref="ResourceMeter"/>), or several together (<see cref="Combine"/>).
/// </summary>
/// <param name="PeakRssMb">Peak resident set (VmHWM after a reset at the start).</param>
/// <param name="CpuSeconds">CPU time, all threads.</param>
/// <param name="AllocatedBytes">Bytes allocated on the GC heap.</param>
/// <param name="GcHeapMb">GC heap size at the end (GCMemoryInfo.HeapSizeBytes).</param>
/// <param name="GcHeapPeakMb">Largest GC heap a 20 ms sampler saw.</param>
/// <param name="Gen0Collections">Gen 0 collections.</param>
/// <param name="Gen2Collections">Gen 2 collections.</param>
internal sealed record ResourceUsage(
    double PeakRssMb, double CpuSeconds, long AllocatedBytes, double GcHeapMb, double GcHeapPeakMb, int Gen0Collections, int Gen2Collections)
{
    /// <summary>Time the JIT compiler spent (JitInfo.GetCompilationTime), all threads: code first run during the run.</summary>
    public double JitSeconds { get; init; }

    /// <summary>Time the runtime was paused for garbage collections (GC.GetTotalPauseDuration).</summary>
    public double GcPauseSeconds { get; init; }

    /// <summary>Several processes together: CPU, allocations and collections add up; RSS and heaps are the largest process's.</summary>
    public static ResourceUsage Combine(IReadOnlyCollection<ResourceUsage> usages) => new(
        usages.Select(u => u.PeakRssMb).DefaultIfEmpty().Max(),
        usages.Sum(u => u.CpuSeconds),
        usages.Sum(u => u.AllocatedBytes),
        usages.Select(u => u.GcHeapMb).DefaultIfEmpty().Max(),
        usages.Select(u => u.GcHeapPeakMb).DefaultIfEmpty().Max(),
        usages.Sum(u => u.Gen0Collections),
        usages.Sum(u => u.Gen2Collections))
    {
        JitSeconds = usages.Sum(u => u.JitSeconds),
        GcPauseSeconds = usages.Sum(u => u.GcPauseSeconds),
    };
}
