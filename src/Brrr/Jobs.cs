using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr;

/// <summary>
/// Put-job of PROTOCOL.md §5: counts every job of a root in the cache (its spawn counter, see <see cref="ICache.IncrAsync"/>) and
/// refuses the job over the spawn limit; else pushes it. Thread safe.
/// </summary>
internal sealed class Jobs
{
    private readonly ICache _cache;
    private readonly IQueue _queue;
    private readonly ICountedPush? _countedPush;

    /// <summary>Creates the job pusher.</summary>
    /// <param name="cache">Holds the per-root counters.</param>
    /// <param name="queue">Receives the jobs.</param>
    /// <param name="spawnLimit">Jobs allowed per root (must be at least 1).</param>
    public Jobs(ICache cache, IQueue queue, long spawnLimit = BrrrClient.DefaultSpawnLimit)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(spawnLimit, 1);
        _cache = cache;
        _queue = queue;
        _countedPush = cache is ICountedPush countedPush && countedPush.CanPushTo(queue) ? countedPush : null;
        SpawnLimit = spawnLimit;
    }

    /// <summary>Jobs allowed per root.</summary>
    public long SpawnLimit { get; }

    /// <summary>The cache that counts the jobs (and holds the roots' cancel marks).</summary>
    public ICache Cache => _cache;

    /// <summary>The queue jobs go to.</summary>
    public IQueue Queue => _queue;

    /// <summary>Whether jobs are counted and pushed in one step (the cache and the queue share a server).</summary>
    public bool CountsAndPushesAtOnce => _countedPush is not null;

    /// <summary>Pushes <paramref name="message"/> on <paramref name="topic"/>.</summary>
    /// <exception cref="SpawnLimitException">The root already pushed <see cref="SpawnLimit"/> jobs.</exception>
    public async Task PutAsync(string topic, ScheduleMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        if (_countedPush is not null)
        {
            var pushed = await _countedPush.IncrAndPushAsync(message.RootId, SpawnLimit, topic, message.ToWire(), cancellationToken)
                .ConfigureAwait(false);
            ThrowIfOverLimit(message, pushed);
            return;
        }

        var count = await _cache.IncrAsync(message.RootId, cancellationToken).ConfigureAwait(false);
        ThrowIfOverLimit(message, count);
        await _queue.PushAsync(topic, message.ToWire(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes <paramref name="message"/> on <paramref name="topic"/> to be delivered not before <paramref name="notBefore"/>
    /// (counted against the spawn limit like any job); a time not after now pushes it at once.
    /// </summary>
    /// <exception cref="SpawnLimitException">The root already pushed <see cref="SpawnLimit"/> jobs.</exception>
    /// <exception cref="NotSupportedException">The queue cannot hold messages back (<see cref="IDelayedQueue"/>); nothing is counted.</exception>
    public async Task PutAsync(string topic, ScheduleMessage message, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        if (notBefore <= DateTimeOffset.UtcNow)
        {
            await PutAsync(topic, message, cancellationToken).ConfigureAwait(false);
            return;
        }

        var delayed = _queue as IDelayedQueue ?? throw new NotSupportedException(
            $"The queue ({_queue.GetType().Name}) cannot delay messages: use a queue that implements {nameof(IDelayedQueue)} (in memory, Redis) to schedule for later.");
        var count = await _cache.IncrAsync(message.RootId, cancellationToken).ConfigureAwait(false);
        ThrowIfOverLimit(message, count);
        await delayed.PushAsync(topic, message.ToWire(), notBefore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes <paramref name="message"/> on <paramref name="topic"/> without counting it against its root's spawn limit:
    /// only for the wake-ups of a failure (<see cref="CallProcessor.ReturnErrorAsync"/>).
    /// </summary>
    public Task PutUncountedAsync(string topic, ScheduleMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        return _queue.PushAsync(topic, message.ToWire(), cancellationToken);
    }

    /// <summary>Raises the spawn-limit error of <paramref name="message"/> when <paramref name="count"/> (its root's jobs counted so far) is over <see cref="SpawnLimit"/>.</summary>
    /// <exception cref="SpawnLimitException">It is.</exception>
    internal void ThrowIfOverLimit(ScheduleMessage message, long count)
    {
        if (OverLimit(message.RootId, count) is { } overLimit)
        {
            throw overLimit;
        }
    }

    /// <summary>The spawn-limit error of root <paramref name="rootId"/> when <paramref name="count"/> (its jobs counted so far) is over <see cref="SpawnLimit"/>, else <c>null</c>.</summary>
    internal SpawnLimitException? OverLimit(string rootId, long count) =>
        count > SpawnLimit ? new SpawnLimitException(rootId, count, SpawnLimit) : null;
}
