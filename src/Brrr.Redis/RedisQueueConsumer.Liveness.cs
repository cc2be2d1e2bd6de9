using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// Liveness of a consumer: a heartbeat key with a time to live, refreshed on a timer, and membership in the
/// topic's consumers set. Every consumer also looks, now and then, for consumers of its topic whose heartbeat
/// expired and gives their messages back (there is no central agent).
/// </summary>
internal sealed partial class RedisQueueConsumer
{
    private readonly RedisKeys _keys;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _registering = new(1, 1);
    private Task? _liveness;
    private volatile bool _registered;
    private int _disposed;

    // When the last heartbeat that succeeded started (a Stopwatch timestamp; 0 before the first).
    private long _lastBeat;

    private readonly LogThrottle _logThrottle = LogThrottle.Default();

    // What it acknowledged lately, written with each heartbeat for the topics overview.
    private readonly AckCounter _acks = new(TimeProvider.System);

    private async Task EnsureRegisteredAsync()
    {
        if (_registered)
        {
            await EnsureAliveAsync().ConfigureAwait(false);
            return;
        }

        await _registering.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_registered)
            {
                return;
            }

            await BeatAsync().ConfigureAwait(false);
            _registered = true;
            await LogFailureAsync(WarnOfLayoutMismatchAsync, "check the Redis layout of").ConfigureAwait(false);
            _liveness = Task.Run(() => RunLivenessAsync(_stop.Token));
        }
        finally
        {
            _registering.Release();
        }
    }

    private async Task WarnOfLayoutMismatchAsync()
    {
        if (await LayoutCheck.FindMismatchAsync(Db, _keys, Topic).ConfigureAwait(false) is { } mismatch)
        {
            _logger.LogWarning("{Mismatch}", mismatch);
        }
    }

    /// <summary>
    /// Refreshes the heartbeat. The key then lives at least until the beat's start plus the time to live, whenever
    /// Redis ran it: that start is what <see cref="EnsureAliveAsync"/> reckons from.
    /// </summary>
    private async Task BeatAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var lapsed = (long)await Scripts.Heartbeat.EvaluateAsync(
            Db,
            [_heartbeatKey, _consumersKey],
            [_id, ((long)_settings.HeartbeatTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), _acks.Format()]).ConfigureAwait(false) == 0;
        var previous = Interlocked.Exchange(ref _lastBeat, started);
        if (lapsed && previous != 0)
        {
            _logger.LogWarning(
                "The heartbeat of consumer {Consumer} of topic {Topic} had expired (last refreshed {Seconds:0.0} s before, time to live {Ttl} s): other consumers may have given back the messages it held, and they may run twice.",
                _id, Topic, Stopwatch.GetElapsedTime(previous, started).TotalSeconds, _settings.HeartbeatTtl.TotalSeconds);
        }
    }

    /// <summary>
    /// Before taking messages: when the last heartbeat is so old that the key may expire within one interval (the
    /// liveness loop stalled, or Redis answers slowly), beats here first, so a consumer that cannot prove it is alive
    /// takes no work that others would give back as a dead consumer's.
    /// </summary>
    private async Task EnsureAliveAsync()
    {
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastBeat)) >= _settings.HeartbeatTtl - _settings.HeartbeatInterval)
        {
            await BeatAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Beats every heartbeat interval and scans for dead consumers every recovery interval, in two loops: a slow scan
    /// (many consumers, a slow Redis) never delays a beat, and each beat waits for the one before it (a slow write is
    /// followed at once by the next when its interval has passed).
    /// </summary>
    private Task RunLivenessAsync(CancellationToken stop) => Task.WhenAll(
        EveryAsync(_settings.HeartbeatInterval, now: false, () => LogFailureAsync(BeatAsync, "refresh the heartbeat of"), stop),

        // Scan at once: a worker restarted after a crash gives back what its previous life held.
        EveryAsync(_settings.RecoveryInterval, now: true, () => LogFailureAsync(RecoverDeadConsumersAsync, "look for dead consumers as"), stop));

    private static async Task EveryAsync(TimeSpan interval, bool now, Func<Task> action, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            if (now)
            {
                await action().ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await action().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task LogFailureAsync(Func<Task> action, string what)
    {
        try
        {
            await action().ConfigureAwait(false);
            _logThrottle.Reset(what);
        }
        catch (Exception e) when (RedisErrors.IsCommandFailure(e))
        {
            // One line per kind of failure and backoff step (an outage retries every interval); the stack trace at debug level.
            if (_logThrottle.ShouldLog(what, out var count))
            {
                _logger.LogWarning("Could not {What} consumer {Consumer} of topic {Topic}; will try again{Times}: {Error}: {Message}", what, _id, Topic, LogThrottle.Times(count), e.GetType().Name, e.Message);
            }

            _logger.LogDebug(e, "Could not {What} consumer {Consumer} of topic {Topic}.", what, _id, Topic);
        }
    }

    /// <summary>Gives back the messages of every consumer of this topic whose heartbeat expired; returns how many.</summary>
    internal async Task<long> RecoverDeadConsumersAsync()
    {
        var db = Db;
        var members = await db.SetMembersAsync(_consumersKey).ConfigureAwait(false);
        var others = members.Select(m => m.ToString()).Where(id => id != _id).ToArray();
        var alive = await Task.WhenAll(others.Select(id => db.KeyExistsAsync(_keys.Heartbeat(Topic, id)))).ConfigureAwait(false);
        long recovered = 0;
        for (var i = 0; i < others.Length; i++)
        {
            if (alive[i])
            {
                continue;
            }

            // The script checks the heartbeat again, atomically with the move.
            var moved = (long)await RecoverAsync(db, others[i], force: false).ConfigureAwait(false);
            if (moved > 0)
            {
                recovered += moved;
                _logger.LogWarning("Consumer {Dead} of topic {Topic} stopped beating: {Count} message(s) it held went back to the head of the topic.", others[i], Topic, moved);
            }
        }

        return recovered;
    }

    private Task<RedisResult> RecoverAsync(IDatabaseAsync db, string consumerId, bool force) => Scripts.Recover.EvaluateAsync(
        db,
        [_keys.Heartbeat(Topic, consumerId), _keys.InFlight(Topic, consumerId), _topicKey, _redeliveredKey, _consumersKey, _keys.Landing(Topic, consumerId)],
        [consumerId, force ? "1" : "0", MarkExpiryMilliseconds]);

    /// <summary>Gives back everything this consumer still holds, stops its heartbeat and deregisters it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopLivenessAsync().ConfigureAwait(false);

        // A blocking move still running may yet put a message in the in-flight list: let it finish first.
        if (_pendingBlock is { } pending)
        {
            try
            {
                await pending.WaitAsync(_settings.BlockTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisErrors.IsCommandFailure(e))
            {
                _logger.LogDebug(e, "The last blocking receive of consumer {Consumer} failed while it was disposed.", _id);
            }
        }

        if (_registered)
        {
            try
            {
                await RecoverAsync(Db, _id, force: true).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisErrors.IsCommandFailure(e))
            {
                _logger.LogWarning(e, "Consumer {Consumer} of topic {Topic} could not give back its messages while disposed; they go back once its heartbeat expires.", _id, Topic);
            }
        }

        _held.Clear();
        if (_blocking is { } blocking)
        {
            await blocking.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _registering.Dispose();
        _onDisposed(this);
    }

    /// <summary>Simulates a stalled liveness loop for tests: stops beating and scanning, and goes on serving.</summary>
    internal Task StallLivenessAsync() => StopLivenessAsync();

    /// <summary>Simulates a crash for tests: stops beating and drops the blocking connection, giving nothing back.</summary>
    internal async Task AbandonAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        await StopLivenessAsync().ConfigureAwait(false);
        if (_blocking is { } blocking)
        {
            await blocking.DisposeAsync().ConfigureAwait(false);
        }

        _onDisposed(this);
    }

    private async Task StopLivenessAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_liveness is { } liveness)
        {
            await liveness.ConfigureAwait(false);
        }
    }
}
