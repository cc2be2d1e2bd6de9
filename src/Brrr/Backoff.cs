namespace Brrr;

/// <summary>Doubling waits with a cap, the one backoff every retry loop of brrr and its backends uses.</summary>
public static class Backoff
{
    /// <summary>The wait after <paramref name="current"/>: twice as long, at most <paramref name="max"/>.</summary>
    public static TimeSpan Next(TimeSpan current, TimeSpan max) => current * 2 < max ? current * 2 : max;

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1-based): <paramref name="first"/>, doubling with each
    /// retry, at most <paramref name="max"/>.
    /// </summary>
    public static TimeSpan ForRetry(int retry, TimeSpan first, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var wait = first * Math.Pow(2, Math.Min(retry - 1, 30));
        return wait < max ? wait : max;
    }
}
