using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Brrr.Bench.Servers;

/// <summary>
/// Hands out tasks that complete one fixed delay after they were asked for, to a fraction of a millisecond: a thread of
/// its own sleeps (<c>nanosleep</c>, not the runtime's millisecond timers) until the oldest one is due and completes
/// it. With one delay for every task, due times come in the order the tasks were asked for, so a queue is enough.
/// A task completes on the thread pool, never on the clock's thread, so a slow continuation delays nobody else.
/// </summary>
internal sealed class DelayClock : IDisposable
{
    private readonly Queue<(long Due, TaskCompletionSource Done)> _waiting = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly long _delayTicks;
    private bool _stopped;

    public DelayClock(TimeSpan delay)
    {
        _delayTicks = (long)(delay.TotalSeconds * Stopwatch.Frequency);
        new Thread(Run) { IsBackground = true, Name = "brrr-bench-delay-clock" }.Start();
    }

    /// <summary>A task that completes the clock's delay from now (canceled if the clock is disposed first).</summary>
    public Task Delay()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting)
        {
            if (_stopped)
            {
                done.SetCanceled();
                return done.Task;
            }

            _waiting.Enqueue((Stopwatch.GetTimestamp() + _delayTicks, done));
        }

        _queued.Release();
        return done.Task;
    }

    public void Dispose()
    {
        lock (_waiting)
        {
            _stopped = true;
            while (_waiting.TryDequeue(out var waiting))
            {
                waiting.Done.TrySetCanceled();
            }
        }

        _queued.Release();
    }

    private void Run()
    {
        while (true)
        {
            _queued.Wait();
            (long Due, TaskCompletionSource Done) next;
            lock (_waiting)
            {
                if (_stopped)
                {
                    return;
                }

                next = _waiting.Dequeue();
            }

            SleepUntil(next.Due);
            next.Done.TrySetResult();
        }
    }

    private static void SleepUntil(long due)
    {
        for (var left = due - Stopwatch.GetTimestamp(); left > 0; left = due - Stopwatch.GetTimestamp())
        {
            if (OperatingSystem.IsWindows())
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(left * 1000.0 / Stopwatch.Frequency)));
                continue;
            }

            var nanoseconds = (long)(left * (1e9 / Stopwatch.Frequency));
            var request = new TimeSpec { Seconds = (nint)(nanoseconds / 1_000_000_000), Nanoseconds = (nint)(nanoseconds % 1_000_000_000) };
            _ = NanoSleep(ref request, IntPtr.Zero);
        }
    }

    /// <summary>POSIX <c>nanosleep</c>: sleeps <paramref name="request"/>; returns early (-1, EINTR) on a signal, which the caller's loop covers.</summary>
    [DllImport("libc", EntryPoint = "nanosleep")]
    private static extern int NanoSleep(ref TimeSpec request, IntPtr remaining);

    /// <summary>POSIX <c>struct timespec</c> on a 64-bit (LP64) system.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }
}
