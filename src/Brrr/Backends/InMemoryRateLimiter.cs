namespace Brrr.Backends;

/// <summary>
/// The in-process <see cref="IRateLimiter"/> of <see cref="InMemoryCache"/>: the same GCRA with reservations as the
/// Redis script (<c>Scripts.RateLimit</c> in Brrr.Redis), in microseconds of <see cref="TimeProvider"/>, under one lock.
/// </summary>
internal sealed class InMemoryRateLimiter(TimeProvider time)
{
    /// <summary>How long a reservation outlives its time.</summary>
    internal static readonly TimeSpan GrantExpiry = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, long> _arrivals = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Scope, string Ticket), long> _grants = [];

    public Task<TimeSpan> AcquireAsync(IReadOnlyList<RateLimitScope> scopes, string ticket)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentOutOfRangeException.ThrowIfZero(scopes.Count);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        lock (_grants)
        {
            if (_grants.Count > 4096)
            {
                var expiredBefore = now - (long)GrantExpiry.TotalMicroseconds;
                foreach (var key in _grants.Where(g => g.Value < expiredBefore).Select(g => g.Key).ToList())
                {
                    _grants.Remove(key);
                }
            }

            // The start is the latest of the scopes' reservations for this ticket and their earliest conforming times.
            var start = now;
            var granted = new bool[scopes.Count];
            for (var i = 0; i < scopes.Count; i++)
            {
                var tolerance = Of(scopes[i].Limit).Tolerance;
                if (_grants.TryGetValue((scopes[i].Name, ticket), out var grant) && grant >= now - (long)GrantExpiry.TotalMicroseconds)
                {
                    granted[i] = true;
                    start = Math.Max(start, grant);
                }
                else
                {
                    start = Math.Max(start, Math.Max(_arrivals.GetValueOrDefault(scopes[i].Name), now) - tolerance);
                }
            }

            for (var i = 0; i < scopes.Count; i++)
            {
                var name = scopes[i].Name;
                if (granted[i])
                {
                    if (start <= now)
                    {
                        _grants.Remove((name, ticket));
                    }

                    continue;
                }

                var (interval, _) = Of(scopes[i].Limit);
                _arrivals[name] = Math.Max(_arrivals.GetValueOrDefault(name), start) + interval;
                if (start > now)
                {
                    _grants[(name, ticket)] = start;
                }
            }

            return Task.FromResult(start <= now ? TimeSpan.Zero : TimeSpan.FromMicroseconds(start - now));
        }
    }

    /// <summary>The emission interval and the burst tolerance of <paramref name="limit"/>, in microseconds.</summary>
    internal static (long Interval, long Tolerance) Of(RateLimit limit)
    {
        var interval = Math.Max(1, (long)limit.Interval.TotalMicroseconds);
        return (interval, interval * (limit.Burst - 1));
    }
}
