using System.Globalization;

namespace Brrr;

/// <summary>
/// A fleet-wide rate: at most <see cref="Count"/> calls per <see cref="Per"/>, spaced evenly (one every
/// <see cref="Interval"/>), with up to <see cref="Burst"/> calls at once after a quiet spell. Written <c>N/s</c>,
/// <c>N/min</c> or <c>N/h</c>, optionally followed by <c>burst B</c> (e.g. <c>"20/min burst 5"</c>; default burst 1).
/// </summary>
/// <param name="Count">Calls per <paramref name="Per"/>, at least 1.</param>
/// <param name="Per">One second, one minute or one hour.</param>
/// <param name="Burst">Calls that may start at once, at least 1.</param>
public readonly record struct RateLimit(long Count, TimeSpan Per, int Burst = 1)
{
    /// <summary>The time between two calls at the limit.</summary>
    public TimeSpan Interval => Per / Count;

    /// <summary>Reads <c>N/s</c>, <c>N/min</c> or <c>N/h</c>, optionally followed by <c>burst B</c>.</summary>
    /// <exception cref="FormatException">The text is not such a rate (the message says what is expected).</exception>
    public static RateLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var rate = parts.Length is 1 or 3 ? parts[0].Split('/') : [];
        if (rate.Length != 2
            || !long.TryParse(rate[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > 1_000_000
            || UnitOf(rate[1]) is not { } per)
        {
            throw new FormatException($"expected a rate such as 100/s, 20/min or 500/h (1 to 1000000 per unit, optionally followed by \"burst N\"), got \"{text}\"");
        }

        var burst = 1;
        if (parts.Length == 3
            && (parts[1] != "burst" || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out burst) || burst < 1 || burst > 1_000_000))
        {
            throw new FormatException($"expected \"burst N\" (1 to 1000000) after the rate, got \"{text}\"");
        }

        return new RateLimit(count, per, burst);
    }

    /// <summary>The limit as <see cref="Parse"/> reads it, e.g. <c>100/s</c> or <c>20/min burst 5</c>.</summary>
    public override string ToString()
    {
        var unit = Per == TimeSpan.FromHours(1) ? "h" : Per == TimeSpan.FromMinutes(1) ? "min" : "s";
        var rate = string.Create(CultureInfo.InvariantCulture, $"{Count}/{unit}");
        return Burst == 1 ? rate : string.Create(CultureInfo.InvariantCulture, $"{rate} burst {Burst}");
    }

    private static TimeSpan? UnitOf(string unit) => unit switch
    {
        "s" => TimeSpan.FromSeconds(1),
        "min" => TimeSpan.FromMinutes(1),
        "h" => TimeSpan.FromHours(1),
        _ => null,
    };
}
