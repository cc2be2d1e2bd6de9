using System.Globalization;
using System.Text;
using Brrr.Backends;

namespace Brrr.Redis;

/// <summary>
/// A consumer's acknowledgements over the last <see cref="Buckets"/> buckets of <see cref="BucketLength"/>, aligned on
/// the Unix epoch, carried in its heartbeat key's value as <c>acks/v1 START BUCKET_SECONDS C1 ... CN</c> (start in
/// Unix seconds, counts oldest first). It costs the hot path one uncontended lock per acknowledgement and Redis
/// nothing: the heartbeat writes its value anyway. Thread safe.
/// </summary>
internal sealed class AckCounter(TimeProvider time)
{
    /// <summary>The length of a bucket.</summary>
    public static readonly TimeSpan BucketLength = TimeSpan.FromSeconds(10);

    /// <summary>How many buckets the history keeps: five minutes.</summary>
    public const int Buckets = 30;

    private const string Version = "acks/v1";

    private static readonly long BucketSeconds = (long)BucketLength.TotalSeconds;

    private readonly long[] _counts = new long[Buckets];
    private readonly long[] _bucketOf = new long[Buckets];
    private readonly Lock _lock = new();

    /// <summary>Counts one acknowledgement now.</summary>
    public void Add()
    {
        var bucket = BucketOf(time.GetUtcNow());
        var slot = (int)(bucket % Buckets);
        lock (_lock)
        {
            if (_bucketOf[slot] != bucket)
            {
                _bucketOf[slot] = bucket;
                _counts[slot] = 0;
            }

            _counts[slot]++;
        }
    }

    /// <summary>The history up to now, as the heartbeat value carries it.</summary>
    public string Format()
    {
        var newest = BucketOf(time.GetUtcNow());
        var oldest = newest - Buckets + 1;
        var text = new StringBuilder(Version).Append(' ').Append(oldest * BucketSeconds).Append(' ').Append(BucketSeconds);
        lock (_lock)
        {
            for (var bucket = oldest; bucket <= newest; bucket++)
            {
                var slot = (int)(bucket % Buckets);
                text.Append(' ').Append(_bucketOf[slot] == bucket ? _counts[slot] : 0);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The history in a heartbeat value; <c>null</c> for a value without one (an older consumer's <c>1</c>) or one
    /// that cannot be read: a bad heartbeat value must not break the topics overview.
    /// </summary>
    public static AckHistory? Parse(string? value)
    {
        var parts = value?.Split(' ');
        if (parts is null || parts.Length < 4 || parts.Length > 3 + 10_000 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start) || start > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is 0 or > 86_400)
        {
            return null;
        }

        var counts = new long[parts.Length - 3];
        for (var i = 0; i < counts.Length; i++)
        {
            if (!long.TryParse(parts[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out counts[i]))
            {
                return null;
            }
        }

        return new AckHistory(DateTimeOffset.FromUnixTimeSeconds(start), TimeSpan.FromSeconds(seconds), counts);
    }

    private static long BucketOf(DateTimeOffset now) => now.ToUnixTimeSeconds() / BucketSeconds;
}
