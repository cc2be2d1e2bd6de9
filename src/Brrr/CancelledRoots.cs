using Brrr.Backends;

namespace Brrr;

/// <summary>
/// The cancel marks of roots (<see cref="ICache.IsRootCancelledAsync"/>) as one worker sees them. Each root's answer
/// is kept, and a root not cancelled is read again from the cache at most once per <see cref="Interval"/>: a cancel is
/// seen within that interval (plus one read), and the jobs of a root that is not cancelled cost one cache read per
/// interval per worker, not one per job. A cancelled root stays cancelled (a root is never un-cancelled; a retry runs
/// under a new root id). Readers of one root at the same time share one read; a failed read is not kept. Bounded like
/// <see cref="BoundedCache{TRecord}"/>. Thread safe.
/// </summary>
public sealed class CancelledRoots
{
    /// <summary>The default of <see cref="Interval"/>: 1 s (<c>brrr.cancel-check-interval</c>).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>The default number of roots kept per generation.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ICache _cache;
    private readonly TimeProvider _time;
    private readonly BoundedCache<Check> _checks;

    /// <summary>Creates the view.</summary>
    /// <param name="cache">The cache that holds the marks.</param>
    /// <param name="interval">How long an answer "not cancelled" is kept; default <see cref="DefaultInterval"/>; zero reads every time.</param>
    /// <param name="capacity">Roots kept per generation (at least 1).</param>
    /// <param name="time">The clock of the interval; default: the system clock.</param>
    public CancelledRoots(ICache cache, TimeSpan? interval = null, int capacity = DefaultCapacity, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var every = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThan(every, TimeSpan.Zero, nameof(interval));
        _cache = cache;
        _time = time ?? TimeProvider.System;
        _checks = new BoundedCache<Check>(capacity);
        Interval = every;
    }

    /// <summary>The longest an answer "not cancelled" is kept: the bound on how late a worker sees a cancel.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Whether <paramref name="rootId"/> is cancelled, from the kept answer when it is fresh enough.</summary>
    /// <exception cref="Exception">The cache read failed (whatever the cache raises); the next check reads again.</exception>
    public Task<bool> IsCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        var now = _time.GetTimestamp();
        if (_checks.Get(rootId) is not { } check || !IsFresh(check, now))
        {
            // Not under the caller's token: other callers may share this read.
            check = new Check(_cache.IsRootCancelledAsync(rootId, CancellationToken.None), now);
            _checks.Put(rootId, check);
        }

        return check.Answer.IsCompleted ? check.Answer : check.Answer.WaitAsync(cancellationToken);
    }

    private bool IsFresh(Check check, long now) => check.Answer.Status switch
    {
        TaskStatus.RanToCompletion => check.Answer.Result || _time.GetElapsedTime(check.StartedAt, now) < Interval,
        TaskStatus.Faulted or TaskStatus.Canceled => false,
        _ => true,
    };

    private sealed record Check(Task<bool> Answer, long StartedAt);
}
