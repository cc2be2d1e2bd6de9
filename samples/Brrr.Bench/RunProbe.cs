using System.Collections.Concurrent;
using System.Diagnostics;

namespace Brrr.Bench;

/// <summary>
/// What the task code of one run reports: which roots finished, and the child-to-parent latency.
/// <para>
/// Latency method: when a child handler is about to return its value it records a timestamp under the child's key
/// (<see cref="ChildReturning"/>; first return only). Every parent handler takes a timestamp when it starts; when one of
/// its <c>ctx.Call</c>s then comes back with that child's value, the parent takes the child's timestamp out of the map
/// (<see cref="ParentSaw"/>) and records <c>parent start - child return</c>. So each child gives one sample: the
/// time from its handler's return (value not stored yet) to the start of the first parent run that sees its value,
/// which covers the value write, the pending-returns CAS, the parent's job push, the queue and the pickup.
/// Runs on one process clock (<see cref="Stopwatch"/>), so it needs every worker in this process: process runs
/// (<c>--processes</c>) report no latency, and the probes of their worker processes are not read. At most
/// <see cref="MaxTimedChildren"/> children are timed at once (the others are not sampled), so the probe's own memory
/// stays bounded however large the call graph: the workers' peak RSS is what the runs compare.
/// </para>
/// </summary>
internal sealed class RunProbe
{
    private readonly ConcurrentDictionary<string, long> _childReturned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _pendingRoots = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _allRootsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<long> _samples;
    private readonly bool _timing;
    private long _rootReturns;
    private int _timed;
    private long _childReturns;
    private long _firstChildReturn = long.MaxValue;
    private long _lastChildReturn = long.MinValue;

    /// <summary>A probe that times children and counts root returns.</summary>
    public RunProbe()
        : this(timing: true)
    {
    }

    private RunProbe(bool timing)
    {
        _timing = timing;
        _samples = new List<long>(timing ? 1 << 16 : 0);
    }

    /// <summary>
    /// A probe for a worker process, whose clock the bench cannot compare with its own: it times nothing, so the
    /// worker's memory holds no samples however many calls the session runs.
    /// </summary>
    public static RunProbe Untimed() => new(timing: false);

    /// <summary>The most children whose return is waiting in the map for a parent to see it.</summary>
    public const int MaxTimedChildren = 4096;

    /// <summary>Completes when every root registered with <see cref="ExpectRoot"/> has returned a value once.</summary>
    public Task AllRootsDone => _allRootsDone.Task;

    /// <summary>Handler returns of root calls so far (a root may return more than once).</summary>
    public long RootReturns => Interlocked.Read(ref _rootReturns);

    public void ExpectRoot(string salt) => _pendingRoots.TryAdd(salt, 0);

    public void RootReturning(string salt)
    {
        Interlocked.Increment(ref _rootReturns);
        if (_pendingRoots.TryRemove(salt, out _) && _pendingRoots.IsEmpty)
        {
            _allRootsDone.TrySetResult();
        }
    }

    public void ChildReturning(string key)
    {
        if (_timing)
        {
            var now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _childReturns);
            InterlockedMin(ref _firstChildReturn, now);
            InterlockedMax(ref _lastChildReturn, now);
        }

        if (_timing && Volatile.Read(ref _timed) < MaxTimedChildren && _childReturned.TryAdd(key, Stopwatch.GetTimestamp()))
        {
            Interlocked.Increment(ref _timed);
        }
    }

    public void ParentSaw(string childKey, long parentStarted)
    {
        if (_childReturned.TryRemove(childKey, out var returned))
        {
            Interlocked.Decrement(ref _timed);
            // A run that started before the child returned can still read the value late: count that as zero wait.
            var ticks = Math.Max(0, parentStarted - returned);
            lock (_samples)
            {
                _samples.Add(ticks);
            }
        }
    }

    /// <summary>
    /// Passes <paramref name="call"/> through; when it yields a value, records that the parent run saw
    /// <paramref name="childKey"/>. A missing child passes through untouched, so the probe adds no throw to a deferred run.
    /// </summary>
    public Task<T> Observe<T>(Task<T> call, string childKey, long parentStarted)
    {
        if (call.IsCompleted)
        {
            if (call.IsCompletedSuccessfully)
            {
                ParentSaw(childKey, parentStarted);
            }

            return call;
        }

        return call.ContinueWith(
            done =>
            {
                if (done.IsCompletedSuccessfully)
                {
                    ParentSaw(childKey, parentStarted);
                }

                return done;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// Child handler returns per second, from the first to the last (every return counted, timed or not): the rate the
    /// children actually ran at, which a rate limit on the child task bounds. Null with fewer than two returns.
    /// </summary>
    public double? ChildReturnsPerSecond()
    {
        var count = Interlocked.Read(ref _childReturns);
        var span = Stopwatch.GetElapsedTime(Interlocked.Read(ref _firstChildReturn), Interlocked.Read(ref _lastChildReturn));
        return count < 2 || span <= TimeSpan.Zero ? null : (count - 1) / span.TotalSeconds;
    }

    private static void InterlockedMin(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value < seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>The latency samples in milliseconds, sorted.</summary>
    public double[] LatencySamplesMs()
    {
        long[] ticks;
        lock (_samples)
        {
            ticks = [.. _samples];
        }

        Array.Sort(ticks);
        return ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
    }
}
