using System.Collections.Concurrent;

namespace Brrr.Backends;

/// <summary>
/// The embedded default cache: thread-safe counters, cancel marks, root trace contexts, the claimed ticks of recurring
/// schedules and the rate limits' state in this process (only attempt counts, tick claims and rate reservations expire).
/// </summary>
public sealed class InMemoryCache : ICache, IRateLimiter
{
    /// <summary>Attempt counts changed between two sweeps of the expired ones.</summary>
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AttemptCount> _attempts = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private int _sinceSweep;

    /// <summary>Creates the cache; <paramref name="time"/> (default: the system clock) says when attempt counts expire.</summary>
    public InMemoryCache(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _rates = new InMemoryRateLimiter(_time);
    }

    private readonly InMemoryRateLimiter _rates;
    private readonly ConcurrentDictionary<string, bool> _cancelled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _traces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScheduleClaims> _schedules = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return Task.FromResult(_counters.AddOrUpdate(rootId, 1, static (_, n) => n + 1));
    }

    /// <inheritdoc />
    public Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callHash);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        var now = _time.GetUtcNow();
        var count = _attempts.AddOrUpdate(
            callHash,
            static (_, state) => new AttemptCount(1, state.now + state.expiry),
            static (_, old, state) => old.ExpiresAt > state.now ? old with { Count = old.Count + 1 } : new AttemptCount(1, state.now + state.expiry),
            (now, expiry));
        if (Interlocked.Increment(ref _sinceSweep) % SweepEvery == 0)
        {
            foreach (var (key, value) in _attempts)
            {
                if (value.ExpiresAt <= now)
                {
                    _attempts.TryRemove(new KeyValuePair<string, AttemptCount>(key, value));
                }
            }
        }

        return Task.FromResult(count.Count);
    }

    /// <inheritdoc />
    public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callHash);
        _attempts.TryRemove(callHash, out _);
        return Task.CompletedTask;
    }

    private sealed record AttemptCount(long Count, DateTimeOffset ExpiresAt);

    /// <inheritdoc />
    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        _cancelled[rootId] = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return Task.FromResult(_cancelled.ContainsKey(rootId));
    }

    /// <inheritdoc />
    public Task SetRootTraceAsync(string rootId, string traceContext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(traceContext);
        _traces[rootId] = traceContext;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetRootTraceAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return Task.FromResult(_traces.GetValueOrDefault(rootId));
    }

    /// <inheritdoc />
    public Task<bool> ClaimScheduleTickAsync(string schedule, DateTimeOffset tick, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        var ms = tick.ToUnixTimeMilliseconds();
        var now = _time.GetUtcNow();
        lock (_schedules)
        {
            if (!_schedules.TryGetValue(schedule, out var claims))
            {
                _schedules[schedule] = claims = new ScheduleClaims();
            }

            claims.Ticks.RemoveAll(claim => claim.ExpiresAt <= now);
            if (claims.Last >= ms || claims.Ticks.Exists(claim => claim.Tick == ms))
            {
                return Task.FromResult(false);
            }

            claims.Ticks.Add((ms, now + expiry));
            claims.Last = ms;
            claims.Unpushed[ms] = now;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<DateTimeOffset?> GetScheduleLastTickAsync(string schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        lock (_schedules)
        {
            return Task.FromResult(_schedules.TryGetValue(schedule, out var claims) && claims.Last is { } last
                ? DateTimeOffset.FromUnixTimeMilliseconds(last)
                : (DateTimeOffset?)null);
        }
    }

    /// <summary>One schedule's unexpired tick claims and last claimed tick (Unix ms), guarded by the dictionary's lock.</summary>
    /// <inheritdoc />
    public Task MarkScheduleTickPushedAsync(string schedule, DateTimeOffset tick, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        lock (_schedules)
        {
            if (_schedules.TryGetValue(schedule, out var claims))
            {
                claims.Unpushed.Remove(tick.ToUnixTimeMilliseconds());
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DateTimeOffset>> TakeUnpushedScheduleTicksAsync(string schedule, TimeSpan grace, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var now = _time.GetUtcNow();
        lock (_schedules)
        {
            if (!_schedules.TryGetValue(schedule, out var claims))
            {
                return Task.FromResult<IReadOnlyList<DateTimeOffset>>([]);
            }

            var stale = claims.Unpushed.Where(u => u.Value <= now - grace).Select(u => u.Key).Order().Take(max).ToArray();
            foreach (var tick in stale)
            {
                claims.Unpushed[tick] = now;
            }

            return Task.FromResult<IReadOnlyList<DateTimeOffset>>([.. stale.Select(DateTimeOffset.FromUnixTimeMilliseconds)]);
        }
    }

    private sealed class ScheduleClaims
    {
        public List<(long Tick, DateTimeOffset ExpiresAt)> Ticks { get; } = [];

        /// <summary>Claimed ticks whose root is not marked pushed, with the time of their claim (or of their last take).</summary>
        public Dictionary<long, DateTimeOffset> Unpushed { get; } = [];

        public long? Last { get; set; }
    }

    /// <inheritdoc />
    public Task<TimeSpan> AcquireAsync(IReadOnlyList<RateLimitScope> scopes, string ticket, CancellationToken cancellationToken = default) =>
        _rates.AcquireAsync(scopes, ticket);
}
