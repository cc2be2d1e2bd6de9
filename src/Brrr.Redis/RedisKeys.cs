using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// Every Redis key the backends use, in one place. Store keys put the call hash in a hash tag so the records of
/// one call share a cluster slot; the queue's bookkeeping keys put the topic in a hash tag so one script can
/// touch the topic list (whose key is exactly the topic name, PROTOCOL.md §4) and them together.
/// On a cluster this holds for topic names without braces; a topic named <c>a{b}</c> hashes differently from
/// its bookkeeping keys.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary><c>&lt;prefix&gt;{&lt;call_hash&gt;}:&lt;type word&gt;</c>, e.g. <c>brrr:{abc}:value</c>.</summary>
    public RedisKey Store(MemKey key) => $"{Prefix}{{{key.CallHash}}}:{key.TypeWord}";

    /// <summary>The cache counter: exactly the key the core gives (<c>brrr/count/&lt;root_id&gt;</c>).</summary>
    public static RedisKey Counter(string key) => key;

    /// <summary>The topic list: exactly the topic name, shared with the Python and TypeScript workers.</summary>
    public static RedisKey Topic(string topic) => topic;

    /// <summary>The list of messages one consumer holds.</summary>
    public RedisKey InFlight(string topic, string consumerId) => $"{{{topic}}}:{Prefix}inflight:{consumerId}";

    /// <summary>The key whose expiry tells whether one consumer is alive.</summary>
    public RedisKey Heartbeat(string topic, string consumerId) => $"{{{topic}}}:{Prefix}heartbeat:{consumerId}";

    /// <summary>The set of the ids of the consumers registered on a topic.</summary>
    public RedisKey Consumers(string topic) => $"{{{topic}}}:{Prefix}consumers";

    /// <summary>A hash from message text to how many of its copies in the topic were given back.</summary>
    public RedisKey Redelivered(string topic) => $"{{{topic}}}:{Prefix}redelivered";
}
