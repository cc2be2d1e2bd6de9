using System.Diagnostics;

namespace Brrr.Tests;

public sealed class LogThrottleTests
{
    private long _now = 1;

    private LogThrottle Throttle() => new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), () => _now);

    private void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * Stopwatch.Frequency);

    [Fact]
    public void A_failure_every_10_ms_for_a_minute_is_logged_in_a_handful_of_lines_that_count_every_failure()
    {
        var throttle = Throttle();
        var lines = new List<(TimeSpan At, long Count)>();
        for (var i = 0; i < 6_000; i++)
        {
            if (throttle.ShouldLog("heartbeat: RedisTimeoutException", out var count))
            {
                lines.Add((TimeSpan.FromMilliseconds(i * 10), count));
            }

            Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal([0, 1, 3, 7, 15, 31], lines.Select(l => (int)Math.Round(l.At.TotalSeconds)));
        Assert.Equal(1, lines[0].Count);
        Assert.Equal(100, lines[1].Count);
        // Every failure up to the last line (the one at 31 s, the 3,101st) is counted by some line.
        Assert.Equal(3_101, lines.Sum(l => l.Count));
    }

    [Fact]
    public void Kinds_are_throttled_apart()
    {
        var throttle = Throttle();
        Assert.True(throttle.ShouldLog("beat: A", out _));
        Assert.False(throttle.ShouldLog("beat: A", out _));
        Assert.True(throttle.ShouldLog("scan: A", out _));
        Assert.True(throttle.ShouldLog("beat: B", out _));
    }

    [Fact]
    public void After_a_reset_or_a_long_quiet_the_next_failure_is_logged_at_once()
    {
        var throttle = Throttle();
        Assert.True(throttle.ShouldLog("k", out _));
        Assert.False(throttle.ShouldLog("k", out _));
        throttle.Reset("k");
        Assert.True(throttle.ShouldLog("k", out var count));
        Assert.Equal(1, count);

        Assert.False(throttle.ShouldLog("k", out _));
        Advance(TimeSpan.FromMinutes(3));
        Assert.True(throttle.ShouldLog("k", out count));
        Assert.Equal(2, count);
        Assert.False(throttle.ShouldLog("k", out _));
    }

    [Fact]
    public void A_line_standing_for_several_failures_says_how_many()
    {
        Assert.Equal("", LogThrottle.Times(1));
        Assert.Equal(" (7 times since the last line of this kind)", LogThrottle.Times(7));
    }
}
