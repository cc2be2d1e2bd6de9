using System.Globalization;

namespace Brrr.Cli;

/// <summary>Durations on the command line: <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, or a number of seconds.</summary>
public static class Durations
{
    /// <summary>The duration <paramref name="text"/> names.</summary>
    /// <exception cref="UsageException">It is no positive duration.</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var (number, unit) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0)
            : t.EndsWith('h') ? (t[..^1], 3600.0)
            : (t, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || value * unit > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new UsageException($"bad duration '{text}': use e.g. 500ms, 30s, 2m or 1h");
        }

        return TimeSpan.FromSeconds(value * unit);
    }
}
