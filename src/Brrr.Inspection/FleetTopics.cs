using Brrr.Backends;

namespace Brrr.Inspection;

/// <summary>One work topic of a fleet, as <see cref="FleetTopics.ListAsync"/> reports it.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Waiting">Messages waiting to be received.</param>
/// <param name="InFlight">Messages received and not yet acknowledged, over all consumers.</param>
/// <param name="Consumers">The registered consumers, alive or not, with what each holds and its heartbeat age.</param>
/// <param name="DeadLetters">Entries of the topic's dead-letter topic.</param>
/// <param name="RatePerMinute">
/// Messages its live consumers acknowledged over the last minute (whole buckets of <see cref="AckHistory.Bucket"/>,
/// the newest still filling), as of their last heartbeats; null where no consumer keeps a history (no live
/// consumer, consumers of an older version, a backend that cannot tell).
/// </param>
/// <param name="Throughput">The acknowledgements of its live consumers, summed bucket by bucket over the last minutes; null as for <paramref name="RatePerMinute"/>.</param>
public sealed record TopicReport(string Topic, long Waiting, long InFlight, IReadOnlyList<ConsumerSnapshot> Consumers, long DeadLetters, double? RatePerMinute, AckHistory? Throughput = null)
{
    /// <summary>Messages held back until a due time (delayed calls, retries waiting out their backoff); 0 on a queue that cannot delay.</summary>
    public long Delayed { get; init; }

    /// <summary>Consumers whose heartbeat expired: what they hold goes back to the topic once another consumer of it looks.</summary>
    public int DeadConsumers => Consumers.Count(c => !c.Alive);
}

/// <summary>The topics overview of a fleet: every work topic with its depth, consumers and dead letters. No ActorSystem needed.</summary>
/// <param name="queue">The fleet's queue; it must implement <see cref="IQueueAdmin"/>.</param>
/// <param name="suffix">The fleet's dead-letter suffix (<c>brrr.dead-letter-suffix</c>).</param>
public sealed class FleetTopics(IQueue queue, string suffix = DeadLetterAdmin.DefaultSuffix)
{
    /// <summary>How many buckets <see cref="TopicReport.Throughput"/> spans.</summary>
    public const int HistoryBuckets = 30;

    private readonly IQueueAdmin _admin = queue as IQueueAdmin ?? throw new ArgumentException($"{queue?.GetType().Name ?? "null"} cannot list its topics (it is no IQueueAdmin).", nameof(queue));

    /// <summary>
    /// Every work topic (a dead-letter topic is counted under the topic it serves, which is listed even when only
    /// its dead letters are left), sorted by name.
    /// </summary>
    public async Task<IReadOnlyList<TopicReport>> ListAsync(CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        var all = await _admin.ListTopicsAsync(cancellationToken).ConfigureAwait(false);
        var work = all.Select(t => t.EndsWith(suffix, StringComparison.Ordinal) && t.Length > suffix.Length ? t[..^suffix.Length] : t)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return await Task.WhenAll(work.Select(t => ReportAsync(t, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The report of one work topic.</summary>
    public async Task<TopicReport> ReportAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var snapshot = _admin.GetTopicAsync(topic, cancellationToken);
        var delayed = queue is IDelayedQueue held ? held.CountDelayedAsync(topic, cancellationToken) : Task.FromResult(0L);
        var dead = await queue.GetStatsAsync(topic + suffix, cancellationToken).ConfigureAwait(false);
        var s = await snapshot.ConfigureAwait(false);
        var throughput = AckHistory.Sum(s.Consumers.Where(c => c.Alive).Select(c => c.Acks), HistoryBuckets);
        return new TopicReport(topic, s.Waiting, s.InFlight, s.Consumers, dead.Waiting, throughput?.CountOver(TimeSpan.FromMinutes(1)), throughput)
        {
            Delayed = await delayed.ConfigureAwait(false),
        };
    }
}
