namespace Brrr.Redis;

/// <summary>
/// Which Redis key names the fleet uses for topic lists and spawn counters (PROTOCOL.md §4). A deployment picks one
/// for every worker, in every language; set it with <c>brrr.redis.layout</c> (<c>current</c> or <c>legacy</c>).
/// </summary>
public enum RedisLayout
{
    /// <summary>
    /// The reference workers since 2026-03-02 (anteriorcore/brrr #163; npm <c>@anterior/brrr</c> 0.1.2, Python
    /// <c>brrr</c> 0.1.1): topic list <c>brrr/messages/&lt;topic&gt;</c>, counter <c>brrr/count/&lt;root_id&gt;</c>.
    /// </summary>
    Current,

    /// <summary>
    /// The reference workers before that change (e.g. anteriorai/brrr 64107b6, 2025-11): topic list named exactly the
    /// topic, counter <c>brrr_count/&lt;root_id&gt;</c>.
    /// </summary>
    Legacy,
}

/// <summary>The key names a <see cref="RedisLayout"/> shares with the reference workers (PROTOCOL.md §4, §7).</summary>
public static class RedisLayoutKeys
{
    private const string CurrentTopicPrefix = "brrr/messages/";
    private const string CurrentCounterPrefix = "brrr/count/";
    private const string LegacyCounterPrefix = "brrr_count/";

    /// <summary>The list of <paramref name="topic"/>: <c>brrr/messages/&lt;topic&gt;</c> (current) or the topic name (legacy).</summary>
    public static string TopicList(this RedisLayout layout, string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return layout == RedisLayout.Current ? CurrentTopicPrefix + topic : topic;
    }

    /// <summary>The spawn counter of a root: <c>brrr/count/&lt;root_id&gt;</c> (current) or <c>brrr_count/&lt;root_id&gt;</c> (legacy).</summary>
    public static string SpawnCounter(this RedisLayout layout, string rootId)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return CounterPrefix(layout) + rootId;
    }

    /// <summary>The <c>SCAN</c>/<c>KEYS</c> pattern of every spawn counter of the layout.</summary>
    public static string SpawnCounterPattern(this RedisLayout layout) => CounterPrefix(layout) + "*";

    /// <summary>The HOCON spelling of the layout (<c>brrr.redis.layout</c>): <c>current</c> or <c>legacy</c>.</summary>
    public static string ConfigName(this RedisLayout layout) => layout == RedisLayout.Current ? "current" : "legacy";

    private static string CounterPrefix(RedisLayout layout) => layout == RedisLayout.Current ? CurrentCounterPrefix : LegacyCounterPrefix;
}
