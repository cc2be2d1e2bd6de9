using System.Text;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// Every Redis key the backends use, in one place. The topic list and the spawn counter follow the
/// <see cref="RedisLayout"/> (PROTOCOL.md §4), so reference workers of that layout share them. Store keys put the
/// call hash in a hash tag so the records of one call share a cluster slot. The queue's bookkeeping keys put the
/// topic list's whole key in a hash tag (<c>{brrr/messages/t}:brrr:inflight:…</c>), so they share the list's slot and
/// one script can touch the list and them together. On a cluster this holds for topic names without braces; a
/// topic named <c>a{b}</c> hashes differently from its bookkeeping keys.
/// </summary>
internal sealed class RedisKeys(string prefix, RedisLayout layout)
{
    // A store key is made for every store request: as UTF-8 bytes (what Redis gets), from parts encoded once.
    private static readonly byte[][] TypeSuffixes =
        [.. Enum.GetValues<MemKeyType>().Order().Select(type => Encoding.UTF8.GetBytes("}:" + new MemKey(type, "").TypeWord))];

    private readonly byte[] _storeOpen = Encoding.UTF8.GetBytes(prefix + "{");

    public string Prefix { get; } = prefix;

    public RedisLayout Layout { get; } = layout;

    /// <summary>The same keys under the other layout (to look for a fleet that uses it).</summary>
    public RedisKeys OtherLayout => new(Prefix, Layout == RedisLayout.Current ? RedisLayout.Legacy : RedisLayout.Current);

    /// <summary><c>&lt;prefix&gt;{&lt;call_hash&gt;}:&lt;type word&gt;</c>, e.g. <c>brrr:{abc}:value</c>.</summary>
    public RedisKey Store(MemKey key)
    {
        var suffix = (uint)key.Type < (uint)TypeSuffixes.Length ? TypeSuffixes[(int)key.Type] : Encoding.UTF8.GetBytes("}:" + key.TypeWord);
        var hashLength = Encoding.UTF8.GetByteCount(key.CallHash);
        var bytes = new byte[_storeOpen.Length + hashLength + suffix.Length];
        _storeOpen.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(key.CallHash, bytes.AsSpan(_storeOpen.Length, hashLength));
        suffix.CopyTo(bytes, _storeOpen.Length + hashLength);
        return bytes;
    }

    /// <summary>The failed runs of a call whose task threw: <c>&lt;prefix&gt;{&lt;call_hash&gt;}:attempts</c> (in the call's slot; brrr only, either layout).</summary>
    public RedisKey Attempts(string callHash) => $"{Prefix}{{{callHash}}}:attempts";

    /// <summary>The spawn counter of a root: <c>brrr/count/&lt;root_id&gt;</c> (current) or <c>brrr_count/&lt;root_id&gt;</c> (legacy).</summary>
    public RedisKey Counter(string rootId) => Layout.SpawnCounter(rootId);

    /// <summary>
    /// The cancel mark of a root: <c>&lt;prefix&gt;cancelled:&lt;root_id&gt;</c>, e.g. <c>brrr:cancelled:abc</c>
    /// (brrr's own key: no reference worker reads it).
    /// </summary>
    public RedisKey Cancelled(string rootId) => $"{Prefix}cancelled:{rootId}";

    /// <summary>
    /// The trace context of a root's schedule: <c>&lt;prefix&gt;trace:&lt;root_id&gt;</c>, e.g. <c>brrr:trace:abc</c>
    /// (brrr's own key: no reference worker reads it).
    /// </summary>
    public RedisKey Trace(string rootId) => $"{Prefix}trace:{rootId}";

    /// <summary>
    /// The claim of one tick of a recurring schedule: <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:tick:&lt;unix_ms&gt;</c>, e.g.
    /// <c>brrr:schedule:{nightly}:tick:1767225600000</c> (in the schedule's slot; brrr's own key).
    /// </summary>
    public RedisKey ScheduleTick(string schedule, long unixMs) => $"{Prefix}schedule:{{{schedule}}}:tick:{unixMs}";

    /// <summary>The last claimed tick of a recurring schedule (Unix ms): <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:last</c> (brrr's own key).</summary>
    public RedisKey ScheduleLast(string schedule) => $"{Prefix}schedule:{{{schedule}}}:last";

    /// <summary>The claimed ticks of a recurring schedule whose root is not marked pushed, scored by the time of their claim (Unix ms): <c>&lt;prefix&gt;schedule:{&lt;name&gt;}:unpushed</c>.</summary>
    public RedisKey ScheduleUnpushed(string schedule) => $"{Prefix}schedule:{{{schedule}}}:unpushed";

    /// <summary>
    /// The theoretical arrival time of a rate limit (Unix µs): <c>&lt;prefix&gt;{ratelimit}:&lt;scope&gt;</c>, e.g.
    /// <c>brrr:{ratelimit}:topic:fib</c>. Every rate-limit key shares the one hash tag, so that one script can count a call
    /// against its topic's and its task's limits on a cluster too (brrr's own keys).
    /// </summary>
    public RedisKey RateLimit(string scope) => $"{Prefix}{{ratelimit}}:{scope}";

    /// <summary>A call's reserved start under a rate limit (Unix µs): <c>&lt;prefix&gt;{ratelimit}:&lt;scope&gt;:grant:&lt;ticket&gt;</c>.</summary>
    public RedisKey RateGrant(string scope, string ticket) => $"{Prefix}{{ratelimit}}:{scope}:grant:{ticket}";

    /// <summary>The topic list shared with the Python and TypeScript workers: <c>brrr/messages/&lt;topic&gt;</c> (current) or the topic name (legacy).</summary>
    public string Topic(string topic) => Layout.TopicList(topic);

    /// <summary>The list of messages one consumer holds.</summary>
    public RedisKey InFlight(string topic, string consumerId) => $"{Tag(topic)}:{Prefix}inflight:{consumerId}";

    /// <summary>
    /// Where one consumer's blocking move puts a message, for the script sent right behind it on the same connection to
    /// move it into the consumer's in-flight list: empty but for that instant, or after a reply lost between the two.
    /// </summary>
    public RedisKey Landing(string topic, string consumerId) => $"{Tag(topic)}:{Prefix}landing:{consumerId}";

    /// <summary>The key whose expiry tells whether one consumer is alive.</summary>
    public RedisKey Heartbeat(string topic, string consumerId) => $"{Tag(topic)}:{Prefix}heartbeat:{consumerId}";

    /// <summary>The set of the ids of the consumers registered on a topic.</summary>
    public RedisKey Consumers(string topic) => $"{Tag(topic)}:{Prefix}consumers";

    /// <summary>A hash from message text to how many of its copies in the topic were given back.</summary>
    public RedisKey Redelivered(string topic) => $"{Tag(topic)}:{Prefix}redelivered";

    /// <summary>
    /// The sorted set of a topic's delayed messages, scored by due time in Unix milliseconds:
    /// <c>{&lt;topic list&gt;}:&lt;prefix&gt;delayed</c>, e.g. <c>{brrr/messages/t}:brrr:delayed</c> (brrr's own key: no
    /// reference worker reads it). Each member is a <see cref="DelayedMember"/>.
    /// </summary>
    public RedisKey Delayed(string topic) => $"{Tag(topic)}:{Prefix}delayed";

    /// <summary>The bytes before the message in a delayed member: the id and the redelivered flag.</summary>
    public const int DelayedMemberPrefixLength = 33;

    /// <summary>
    /// A delayed member: 32 hex digits of a fresh id (so equal messages stay apart), then <c>r</c> when the message comes
    /// back as redelivered (a retry) or <c>n</c> when new, then the message's exact bytes. Promotion strips the first
    /// <see cref="DelayedMemberPrefixLength"/> bytes.
    /// </summary>
    public static byte[] DelayedMember(ReadOnlySpan<byte> message, bool redelivered)
    {
        var member = new byte[DelayedMemberPrefixLength + message.Length];
        System.Text.Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N"), member);
        member[DelayedMemberPrefixLength - 1] = (byte)(redelivered ? 'r' : 'n');
        message.CopyTo(member.AsSpan(DelayedMemberPrefixLength));
        return member;
    }

    private string Tag(string topic) => $"{{{Topic(topic)}}}";
}
