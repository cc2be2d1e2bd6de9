namespace Brrr.DynamoDb;

/// <summary>
/// How long a batch request waits before sending again the keys DynamoDB left unprocessed (throttling, or a response
/// over its size limit): exponential backoff with full jitter, as for the AWS SDK's own retries. The ceiling starts at
/// 50 ms, doubles with each retry and is capped at 20 s; the wait is a random fraction of it.
/// </summary>
internal static class BatchBackoff
{
    private static readonly TimeSpan s_base = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_cap = TimeSpan.FromSeconds(20);

    /// <summary>The longest wait before retry number <paramref name="retry"/> (1-based).</summary>
    public static TimeSpan Ceiling(int retry) => Backoff.ForRetry(retry, s_base, s_cap);

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based): between zero and <see cref="Ceiling"/>.</summary>
    public static TimeSpan Delay(int retry) => Ceiling(retry) * Random.Shared.NextDouble();
}
