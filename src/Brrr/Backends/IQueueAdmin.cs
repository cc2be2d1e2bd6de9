namespace Brrr.Backends;

/// <summary>
/// Operator access to a queue's topics, for <c>Brrr.Inspection</c> and the <c>brrr</c> tool: which topics exist, what
/// waits in one, which consumer holds what, and removing a waiting message (a dead letter that was requeued or
/// purged, say). Workers never use it. A queue implements it next to <see cref="IQueue"/> where the backend can tell;
/// callers test for it (<c>queue as IQueueAdmin</c>). Thread safe.
/// </summary>
public interface IQueueAdmin
{
    /// <summary>The topics this queue knows of: those with waiting or delayed messages or registered consumers, sorted ordinally.</summary>
    Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default);

    /// <summary>A snapshot of <paramref name="topic"/>: how many messages wait, and each registered consumer with what it holds.</summary>
    Task<TopicSnapshot> GetTopicAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> waiting messages of <paramref name="topic"/>, from position <paramref name="start"/>
    /// (0 is the next one to be delivered), without taking them.
    /// </summary>
    Task<IReadOnlyList<string>> PeekAsync(string topic, long start, int count, CancellationToken cancellationToken = default);

    /// <summary>The messages the consumer <paramref name="consumerId"/> of <paramref name="topic"/> holds (received, not yet acknowledged); empty for an unknown consumer.</summary>
    Task<IReadOnlyList<string>> GetHeldAsync(string topic, string consumerId, CancellationToken cancellationToken = default);

    /// <summary>Removes up to <paramref name="count"/> waiting copies of <paramref name="message"/> (exact text) from <paramref name="topic"/>, nearest the head first; returns how many it removed.</summary>
    Task<long> RemoveWaitingAsync(string topic, string message, long count = 1, CancellationToken cancellationToken = default);
}

/// <summary>A snapshot of one topic (<see cref="IQueueAdmin.GetTopicAsync"/>).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Waiting">Messages waiting to be received.</param>
/// <param name="Consumers">The consumers registered on the topic, alive or not, by id.</param>
public sealed record TopicSnapshot(string Topic, long Waiting, IReadOnlyList<ConsumerSnapshot> Consumers)
{
    /// <summary>Messages received and not yet acknowledged or released, over all consumers.</summary>
    public long InFlight => Consumers.Sum(c => c.Held);
}

/// <summary>One consumer of a topic.</summary>
/// <param name="Id">The consumer's id (what <see cref="IQueueAdmin.GetHeldAsync"/> takes).</param>
/// <param name="Held">How many messages it holds.</param>
/// <param name="SinceHeartbeat">How long ago it last proved alive; <c>null</c> where the backend keeps no heartbeat (in memory) or it has none left.</param>
/// <param name="Alive">Whether it counts as alive: its heartbeat has not expired (in memory: it is not disposed). Another consumer gives back what a dead one holds.</param>
/// <param name="Acks">The messages it acknowledged lately, as of its last heartbeat; <c>null</c> where the backend or the consumer's version keeps none, or its heartbeat expired.</param>
public sealed record ConsumerSnapshot(string Id, long Held, TimeSpan? SinceHeartbeat, bool Alive, AckHistory? Acks = null);

/// <summary>
/// Acknowledged messages counted in buckets aligned on the Unix epoch (so the histories of several consumers add up
/// bucket by bucket), oldest first; the newest bucket is still filling.
/// </summary>
/// <param name="Start">The start of the first bucket.</param>
/// <param name="Bucket">The length of a bucket.</param>
/// <param name="Counts">The acknowledgements in each bucket, oldest first.</param>
public sealed record AckHistory(DateTimeOffset Start, TimeSpan Bucket, IReadOnlyList<long> Counts)
{
    /// <summary>The end of the newest bucket.</summary>
    public DateTimeOffset End => Start + (Bucket * Counts.Count);

    /// <summary>The acknowledgements of the buckets that overlap the <paramref name="window"/> before <see cref="End"/> (whole buckets: up to one bucket more than the window).</summary>
    public long CountOver(TimeSpan window)
    {
        var buckets = (int)Math.Min(Counts.Count, Math.Ceiling(window / Bucket));
        long sum = 0;
        for (var i = Counts.Count - buckets; i < Counts.Count; i++)
        {
            sum += Counts[i];
        }

        return sum;
    }

    /// <summary>
    /// The bucket-by-bucket sum of <paramref name="histories"/> over the <paramref name="buckets"/> buckets that end
    /// with the newest of them; <c>null</c> when there is none. Histories whose bucket length differs from the
    /// first's are left out.
    /// </summary>
    public static AckHistory? Sum(IEnumerable<AckHistory?> histories, int buckets)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        var known = histories.OfType<AckHistory>().ToList();
        if (known.Count == 0)
        {
            return null;
        }

        var bucket = known[0].Bucket;
        var same = known.Where(h => h.Bucket == bucket).ToList();
        var end = same.Max(h => h.End);
        var start = end - (bucket * buckets);
        var counts = new long[buckets];
        foreach (var history in same)
        {
            for (var i = 0; i < history.Counts.Count; i++)
            {
                var slot = (int)Math.Round((history.Start + (bucket * i) - start) / bucket);
                if (slot >= 0 && slot < buckets)
                {
                    counts[slot] += history.Counts[i];
                }
            }
        }

        return new AckHistory(start, bucket, counts);
    }
}
