namespace Brrr.DynamoDb;

/// <summary>
/// How long a read of a missing <c>call</c> record waits before each retry (PROTOCOL.md §3): the record may have been
/// written by another worker a moment ago and not be visible yet. 4 retries, 25 ms base, factor 2, 300 ms cap.
/// </summary>
internal static class CallReadBackoff
{
    public const int Retries = 4;

    private static readonly TimeSpan s_base = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan s_cap = TimeSpan.FromMilliseconds(300);

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based).</summary>
    public static TimeSpan Delay(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var delay = s_base * Math.Pow(2, Math.Min(retry - 1, 16));
        return delay < s_cap ? delay : s_cap;
    }
}
