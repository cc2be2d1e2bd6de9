using System.Diagnostics;

namespace Brrr;

/// <summary>
/// Keeps an outage from flooding the logs: the first failure of a kind (say, "heartbeat: RedisTimeoutException") is
/// logged at once, later ones of that kind only once the interval since the last line has passed, and the interval
/// doubles from <c>first</c> up to <c>max</c>. So a 60 s outage gives a handful of lines per kind (at 0, 1, 3, 7, 15,
/// 31 s…), each saying how many failures it stands for. A kind silent for longer than <c>max</c> starts over: the
/// next outage is logged at once again. Thread safe.
/// </summary>
internal sealed class LogThrottle
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _max;
    private readonly Func<long> _now;
    private readonly Dictionary<string, State> _kinds = new(StringComparer.Ordinal);

    /// <summary>Creates the throttle; <paramref name="now"/> gives <see cref="Stopwatch"/> timestamps (tests pass their own clock).</summary>
    public LogThrottle(TimeSpan first, TimeSpan max, Func<long>? now = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, first);
        _first = first;
        _max = max;
        _now = now ?? Stopwatch.GetTimestamp;
    }

    /// <summary>The throttle of the backends and the runtime: the first line at once, then after 1 s doubling up to 1 min.</summary>
    public static LogThrottle Default() => new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>The kind of a failure: where it happened and the type of the error.</summary>
    public static string KindOf(string where, Exception error) => where + ": " + error.GetType().Name;

    /// <summary>
    /// Whether to log this failure of <paramref name="kind"/> now; if so, <paramref name="count"/> is how many failures
    /// of the kind the line stands for (this one and those left out since the last line).
    /// </summary>
    public bool ShouldLog(string kind, out long count)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var now = _now();
        lock (_kinds)
        {
            var known = _kinds.TryGetValue(kind, out var state);
            if (!known || Elapsed(state.LastLogged, now) > _max + state.Interval)
            {
                _kinds[kind] = new State(now, _first, 0);
                count = state.Left + 1;
                return true;
            }

            if (Elapsed(state.LastLogged, now) < state.Interval)
            {
                _kinds[kind] = state with { Left = state.Left + 1 };
                count = 0;
                return false;
            }

            var next = state.Interval * 2 < _max ? state.Interval * 2 : _max;
            _kinds[kind] = new State(now, next, 0);
            count = state.Left + 1;
            return true;
        }
    }

    /// <summary>The failures of <paramref name="kind"/> ended (the operation worked again): its next failure is logged at once.</summary>
    public void Reset(string kind)
    {
        lock (_kinds)
        {
            _kinds.Remove(kind);
        }
    }

    /// <summary>Text for a line that stands for <paramref name="count"/> failures: empty for one.</summary>
    public static string Times(long count) => count > 1 ? $" ({count} times since the last line of this kind)" : "";

    private static TimeSpan Elapsed(long from, long to) => TimeSpan.FromSeconds((double)(to - from) / Stopwatch.Frequency);

    private readonly record struct State(long LastLogged, TimeSpan Interval, long Left);
}
