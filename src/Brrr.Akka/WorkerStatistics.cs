using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Brrr.Akka;

/// <summary>Counters of one worker since it started. Thread safe; read at any time.</summary>
public sealed class WorkerStatistics
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _executions = new(StringComparer.Ordinal);
    private long _deferred;
    private long _completed;
    private long _failed;
    private long _released;
    private long _skipped;
    private long _cancelled;
    private long _throttled;

    /// <summary>Handler executions so far, per task name.</summary>
    public IReadOnlyDictionary<string, long> ExecutionsByTask =>
        _executions.ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value), StringComparer.Ordinal);

    /// <summary>Handler executions so far, all tasks.</summary>
    public long Executions => _executions.Sum(e => Interlocked.Read(ref e.Value.Value));

    /// <summary>Runs that ended deferred on missing children.</summary>
    public long Deferred => Interlocked.Read(ref _deferred);

    /// <summary>Runs that stored a value (counted once the value is stored and the message acknowledged).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Messages that failed for good (dead-lettered, or dropped when dead letters are off).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Jobs whose handler was not run: the call's value was already known (only its waiting returns were sent), or
    /// a child its last run deferred on is still missing (that child brings the job back when it completes).
    /// Re-runs saved by parent debouncing.
    /// </summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>
    /// Jobs acknowledged without running because their root is cancelled (a job another root still waits on was
    /// pushed again under that root first).
    /// </summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Messages given back to the queue after a transient failure, a task that threw (before its last attempt), or on shutdown.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <summary>
    /// Messages put off by a rate limit of their topic or task: given back to the queue until their reserved start (a
    /// call counts once per time it was put off, usually once).
    /// </summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    internal void Executed(string taskName) => Interlocked.Increment(ref _executions.GetOrAdd(taskName, static _ => new StrongBox<long>()).Value);

    /// <summary>
    /// Counts one settled message of <paramref name="topic"/> as <paramref name="handled"/>, here and in
    /// <see cref="BrrrDiagnostics"/> (with the time since its pickup, <paramref name="startedTimestamp"/>): the one place
    /// outcomes are counted, once the message's effects are done and it is settled.
    /// </summary>
    internal void Handled(string topic, HandledAs handled, long startedTimestamp)
    {
        switch (handled)
        {
            case HandledAs.Completed:
                Interlocked.Increment(ref _completed);
                break;
            case HandledAs.Deferred:
                Interlocked.Increment(ref _deferred);
                break;
            case HandledAs.Skipped:
                Interlocked.Increment(ref _skipped);
                break;
            case HandledAs.Cancelled:
                Interlocked.Increment(ref _cancelled);
                break;
            case HandledAs.Throttled:
                Interlocked.Increment(ref _throttled);
                break;
            case HandledAs.Released:
                Interlocked.Increment(ref _released);
                break;
            default:
                Interlocked.Increment(ref _failed);
                break;
        }

        BrrrDiagnostics.Handled(topic, handled.Tag(), startedTimestamp);
        Counted?.Invoke();
    }

    /// <summary>Raised after each message counted by <see cref="Handled"/>, on the thread that settled it.</summary>
    internal event Action? Counted;
}
