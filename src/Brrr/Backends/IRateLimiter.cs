namespace Brrr.Backends;

/// <summary>
/// A limiter shared by every worker (GCRA, the generic cell rate algorithm, with reservations): it spaces the calls of
/// each scope by the scope's <see cref="RateLimit.Interval"/>. A call that may not start now gets a reserved start
/// time, kept under its ticket, and the wait until it: when the same ticket asks again at or after that time it is
/// admitted on its reservation, without being counted again. So calls that come back together are not refused again
/// (no herd), and the calls admitted converge to the limit. Thread safe.
/// </summary>
public interface IRateLimiter
{
    /// <summary>
    /// Asks for the start of one call that counts against every scope of <paramref name="scopes"/> (e.g. its topic and its
    /// task). Returns <see cref="TimeSpan.Zero"/> when it may start now (it is counted in every scope), else the wait
    /// until its reserved start: the caller asks again with the same <paramref name="ticket"/> after it. A reservation
    /// not used within 10 minutes of its time is forgotten (the call then asks anew). Time is the backend's clock (Redis:
    /// the server's <c>TIME</c>). An exception is an unknown outcome.
    /// </summary>
    /// <param name="scopes">The limits the call counts against, each under its own name (at least one).</param>
    /// <param name="ticket">What identifies the call across its asks (a digest of its message), at most 64 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<TimeSpan> AcquireAsync(IReadOnlyList<RateLimitScope> scopes, string ticket, CancellationToken cancellationToken = default);
}

/// <summary>One limit a call counts against, e.g. <c>topic:fib</c> at <c>100/s</c>.</summary>
/// <param name="Name">The limit's name, shared by the fleet (on Redis part of its keys).</param>
/// <param name="Limit">The rate.</param>
public sealed record RateLimitScope(string Name, RateLimit Limit);
