using Brrr.Backends;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// The counters on Redis: attempt counts of failing calls at <c>&lt;prefix&gt;{&lt;call_hash&gt;}:attempts</c>, and the spawn counters: <c>INCR key</c> pipelined with <c>EXPIRE key ttl NX</c>, so a counter expires
/// <see cref="RedisBrrrSettings.CounterExpiry"/> after it was created and old workflows leave nothing behind.
/// The key is the root's counter of <see cref="RedisBrrrSettings.Layout"/> (<c>brrr/count/&lt;root_id&gt;</c>, legacy
/// <c>brrr_count/&lt;root_id&gt;</c>). With a <see cref="RedisQueue"/> on the same
/// multiplexer and database (and no cluster, where the counter and the topic may live on different nodes), a job is
/// counted and pushed by one script. A root's cancel mark is <c>&lt;prefix&gt;cancelled:&lt;root_id&gt;</c>, set with the
/// expiry <see cref="RedisBrrrSettings.CancelExpiry"/>; the trace context of its schedule is <c>&lt;prefix&gt;trace:&lt;root_id&gt;</c>,
/// a string that expires with the spawn counter (<see cref="RedisBrrrSettings.CounterExpiry"/>). A recurring schedule's
/// tick is claimed by one script at <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:tick:&lt;unix_ms&gt;</c> (<c>SET NX PX</c>) next to
/// its last claimed tick <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:last</c> (Unix ms, no expiry), in one cluster slot. A rate
/// limit is one script over <c>&lt;prefix&gt;{ratelimit}:&lt;scope&gt;</c> and the calls' reservations
/// <c>&lt;prefix&gt;{ratelimit}:&lt;scope&gt;:grant:&lt;ticket&gt;</c>, which expire once they no longer matter. Thread safe.
/// </summary>
public sealed class RedisCache : ICache, ICountedPush, IRateLimiter
{
    private readonly IConnectionMultiplexer _redis;
    private readonly int _database;
    private readonly TimeSpan _expiry;
    private readonly TimeSpan _cancelExpiry;
    private readonly RedisKeys _keys;

    /// <summary>Creates the cache over a shared multiplexer (which the caller keeps owning).</summary>
    public RedisCache(IConnectionMultiplexer redis, RedisBrrrSettings settings)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _redis = redis;
        _database = settings.Database;
        _expiry = settings.CounterExpiry;
        _cancelExpiry = settings.CancelExpiry;
        _keys = new RedisKeys(settings.KeyPrefix, settings.Layout);
    }

    /// <inheritdoc />
    public async Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        var db = _redis.GetDatabase(_database);
        var redisKey = _keys.Counter(rootId);

        // Both go out back to back on the same connection (one round trip); NX keeps the first expiry.
        var increment = db.StringIncrementAsync(redisKey);
        var expire = db.KeyExpireAsync(redisKey, _expiry, ExpireWhen.HasNoExpiry);
        await Task.WhenAll(increment, expire).ConfigureAwait(false);
        return await increment.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callHash);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        var db = _redis.GetDatabase(_database);
        var redisKey = _keys.Attempts(callHash);

        // INCR and PEXPIRE NX back to back (one round trip), paid only by a run that threw.
        var increment = db.StringIncrementAsync(redisKey);
        var expire = db.KeyExpireAsync(redisKey, expiry, ExpireWhen.HasNoExpiry);
        await Task.WhenAll(increment, expire).ConfigureAwait(false);
        return await increment.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callHash);
        return _redis.GetDatabase(_database).KeyDeleteAsync(_keys.Attempts(callHash));
    }

    /// <inheritdoc />
    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return _redis.GetDatabase(_database).StringSetAsync(_keys.Cancelled(rootId), "1", _cancelExpiry);
    }

    /// <inheritdoc />
    public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return _redis.GetDatabase(_database).KeyExistsAsync(_keys.Cancelled(rootId));
    }

    /// <inheritdoc />
    public Task SetRootTraceAsync(string rootId, string traceContext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(traceContext);
        return _redis.GetDatabase(_database).StringSetAsync(_keys.Trace(rootId), traceContext, _expiry);
    }

    /// <inheritdoc />
    public async Task<string?> GetRootTraceAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return await _redis.GetDatabase(_database).StringGetAsync(_keys.Trace(rootId)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> ClaimScheduleTickAsync(string schedule, DateTimeOffset tick, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        var ms = tick.ToUnixTimeMilliseconds();
        var result = await Scripts.ClaimScheduleTick.EvaluateAsync(
                _redis.GetDatabase(_database),
                [_keys.ScheduleTick(schedule, ms), _keys.ScheduleLast(schedule), _keys.ScheduleUnpushed(schedule)],
                [ms, Math.Max(1, (long)expiry.TotalMilliseconds)])
            .ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> GetScheduleLastTickAsync(string schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var value = await _redis.GetDatabase(_database).StringGetAsync(_keys.ScheduleLast(schedule)).ConfigureAwait(false);
        return value.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)value);
    }

    /// <inheritdoc />
    public Task MarkScheduleTickPushedAsync(string schedule, DateTimeOffset tick, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return _redis.GetDatabase(_database).SortedSetRemoveAsync(_keys.ScheduleUnpushed(schedule), tick.ToUnixTimeMilliseconds());
    }

    /// <inheritdoc />
    /// <remarks>One script: ticks listed for at least <paramref name="grace"/> by the server's clock, rescored to now.</remarks>
    public async Task<IReadOnlyList<DateTimeOffset>> TakeUnpushedScheduleTicksAsync(string schedule, TimeSpan grace, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var result = await Scripts.TakeUnpushedTicks.EvaluateAsync(
                _redis.GetDatabase(_database), [_keys.ScheduleUnpushed(schedule)], [Math.Max(0, (long)grace.TotalMilliseconds), max])
            .ConfigureAwait(false);
        return [.. ((RedisResult[])result!).Select(r => DateTimeOffset.FromUnixTimeMilliseconds((long)r))];
    }

    /// <inheritdoc />
    public async Task<TimeSpan> AcquireAsync(IReadOnlyList<RateLimitScope> scopes, string ticket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentOutOfRangeException.ThrowIfZero(scopes.Count);
        var keys = new RedisKey[scopes.Count * 2];
        var values = new RedisValue[(scopes.Count * 2) + 1];
        for (var i = 0; i < scopes.Count; i++)
        {
            var interval = Math.Max(1, (long)scopes[i].Limit.Interval.TotalMicroseconds);
            (keys[2 * i], keys[(2 * i) + 1]) = (_keys.RateLimit(scopes[i].Name), _keys.RateGrant(scopes[i].Name, ticket));
            (values[2 * i], values[(2 * i) + 1]) = (interval, interval * (scopes[i].Limit.Burst - 1));
        }

        values[^1] = (long)RateGrantExpiry.TotalMicroseconds;
        var wait = (long)await Scripts.RateLimit.EvaluateAsync(_redis.GetDatabase(_database), keys, values).ConfigureAwait(false);
        return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromMicroseconds(wait);
    }

    /// <summary>How long a call's reservation outlives its time (see <see cref="IRateLimiter.AcquireAsync"/>).</summary>
    internal static TimeSpan RateGrantExpiry { get; } = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public bool CanPushTo(IQueue queue) =>
        queue is RedisQueue redisQueue && redisQueue.SharesDatabaseWith(_redis, _database, _keys.Layout)
        && _redis.GetServers().All(server => server.ServerType != ServerType.Cluster);

    /// <summary>Whether this cache's spawn counters are on <paramref name="redis"/>'s <paramref name="database"/>, named by <paramref name="layout"/>, expiring after <paramref name="expiry"/>.</summary>
    internal bool CountsLike(IConnectionMultiplexer redis, int database, RedisLayout layout, TimeSpan expiry) =>
        ReferenceEquals(redis, _redis) && database == _database && layout == _keys.Layout && expiry == _expiry;

    /// <inheritdoc />
    public async Task<long> IncrAndPushAsync(string rootId, long limit, string topic, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        var result = await Scripts.IncrAndPush.EvaluateAsync(
                _redis.GetDatabase(_database),
                [_keys.Counter(rootId), _keys.Topic(topic)],
                [limit, message, (long)_expiry.TotalMilliseconds])
            .ConfigureAwait(false);
        return (long)result;
    }
}
