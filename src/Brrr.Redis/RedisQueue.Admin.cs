using System.Text;
using Brrr.Backends;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>Operator access (<see cref="IQueueAdmin"/>): read-only scans and exact removals, never on the hot path.</summary>
public sealed partial class RedisQueue
{
    private const int ScanPageSize = 1000;

    /// <inheritdoc />
    /// <remarks>
    /// Found with <c>SCAN</c> (never <c>KEYS</c>) on every primary: the topic lists of the layout and the topics'
    /// consumers sets and delayed sets. In the legacy layout a topic list has no prefix, so every list key that is not brrr bookkeeping
    /// counts as a topic: in a database shared with other applications their lists show up too.
    /// </remarks>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default)
    {
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        var consumersSuffix = "}:" + _keys.Prefix + "consumers";
        var delayedSuffix = "}:" + _keys.Prefix + "delayed";
        var listPattern = _keys.Layout == RedisLayout.Current ? _keys.Topic("*") : "*";
        var db = Db;
        // Scanning only the servers that answer would list no topics at all while Redis is down.
        var primaries = RedisPrimaries.All(_redis, "list the topics");

        foreach (var server in primaries)
        {
            foreach (var suffix in new[] { consumersSuffix, delayedSuffix })
            {
                await foreach (var key in server.KeysAsync(_settings.Database, "{" + _keys.Topic("*") + suffix, ScanPageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var text = key.ToString();
                    if (TopicOfList(text[1..^suffix.Length]) is { } topic)
                    {
                        topics.Add(topic);
                    }
                }
            }

            await foreach (var key in server.KeysAsync(_settings.Database, listPattern, ScanPageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var text = key.ToString();
                if (TopicOfList(text) is { } topic && !IsBookkeeping(text) && await db.KeyTypeAsync(key).ConfigureAwait(false) == RedisType.List)
                {
                    topics.Add(topic);
                }
            }
        }

        return [.. topics];
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="ConsumerSnapshot.SinceHeartbeat"/> is the heartbeat's time to live minus what is left of it, so it
    /// reads the age of the last beat; a consumer whose key has expired has none (and is not alive).
    /// </remarks>
    public async Task<TopicSnapshot> GetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var db = Db;
        var waiting = db.ListLengthAsync(_keys.Topic(topic));
        var ids = (await db.SetMembersAsync(_keys.Consumers(topic)).ConfigureAwait(false)).Select(id => id.ToString()).Order(StringComparer.Ordinal).ToList();
        var consumers = await Task.WhenAll(ids.Select(async id =>
        {
            var held = HeldCountAsync(db, topic, id);
            var beat = await db.StringGetWithExpiryAsync(_keys.Heartbeat(topic, id)).ConfigureAwait(false);
            var since = beat.Expiry is { } l && l > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Max(0, (_settings.HeartbeatTtl - l).Ticks)) : (TimeSpan?)null;
            return new ConsumerSnapshot(id, await held.ConfigureAwait(false), since, since is not null, since is null ? null : AckCounter.Parse(beat.Value));
        })).ConfigureAwait(false);
        return new TopicSnapshot(topic, await waiting.ConfigureAwait(false), consumers);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> PeekAsync(string topic, long start, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return [];
        }

        var values = await Db.ListRangeAsync(_keys.Topic(topic), start, start + count - 1).ConfigureAwait(false);
        return [.. values.Select(v => v.ToString())];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> GetHeldAsync(string topic, string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(consumerId);
        var db = Db;
        var inFlight = db.ListRangeAsync(_keys.InFlight(topic, consumerId));
        var landing = db.ListRangeAsync(_keys.Landing(topic, consumerId));
        return [.. (await inFlight.ConfigureAwait(false)).Concat(await landing.ConfigureAwait(false)).Select(v => v.ToString())];
    }

    /// <inheritdoc />
    public Task<long> RemoveWaitingAsync(string topic, string message, long count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Db.ListRemoveAsync(_keys.Topic(topic), message, count);
    }

    /// <summary>The topic whose list is <paramref name="key"/> in this layout, or null when it is no topic list.</summary>
    private string? TopicOfList(string key)
    {
        if (_keys.Layout == RedisLayout.Legacy)
        {
            return key;
        }

        var prefix = _keys.Topic("");
        return key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length ? key[prefix.Length..] : null;
    }

    /// <summary>Whether <paramref name="key"/> is one of brrr's own keys rather than a topic list (in-flight lists, store records).</summary>
    private bool IsBookkeeping(string key) =>
        key.StartsWith('{') || (_keys.Prefix.Length > 0 && key.StartsWith(_keys.Prefix, StringComparison.Ordinal));

    /// <inheritdoc />
    /// <remarks>One <c>ZRANGE ... WITHSCORES</c> of the topic's delayed set; each member's id and flag are stripped.</remarks>
    public async Task<IReadOnlyList<DelayedMessage>> PeekDelayedAsync(string topic, long start, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return [];
        }

        var entries = await Db.SortedSetRangeByRankWithScoresAsync(_keys.Delayed(topic), start, start + count - 1).ConfigureAwait(false);
        return entries
            .Select(e => (Member: (byte[])e.Element!, e.Score))
            .Where(e => e.Member.Length >= RedisKeys.DelayedMemberPrefixLength)
            .Select(e => new DelayedMessage(
                Encoding.UTF8.GetString(e.Member.AsSpan(RedisKeys.DelayedMemberPrefixLength)),
                DateTimeOffset.FromUnixTimeMilliseconds((long)e.Score),
                e.Member[RedisKeys.DelayedMemberPrefixLength - 1] == (byte)'r'))
            .ToArray();
    }
}
