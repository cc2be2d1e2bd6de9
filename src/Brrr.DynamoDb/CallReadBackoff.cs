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
    public static TimeSpan Delay(int retry) => Backoff.ForRetry(retry, s_base, s_cap);
}
