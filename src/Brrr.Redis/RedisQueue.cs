using System.Collections.Concurrent;
using System.Text;
using Brrr.Backends;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// The brrr queue on Redis lists with at-least-once delivery. A topic is a plain list, named by
/// <see cref="RedisBrrrSettings.Layout"/> (<c>brrr/messages/&lt;topic&gt;</c>, legacy: the topic name); producers <c>RPUSH</c>, so Python and TypeScript workers (<c>BLPOP</c>) share it. A consumer atomically moves
/// each message into its own in-flight list and removes it there when acknowledged; a consumer whose heartbeat
/// expires has its messages moved back to the head of the topic by any other consumer of the topic. Delayed messages
/// (<see cref="IDelayedQueue"/>) wait in a sorted set beside the list and enter it only when due. Thread safe.
/// </summary>
/// <remarks>
/// Non-blocking commands use the shared multiplexer; each consumer opens its own connection for blocking pops,
/// because a blocking command stalls every other command of its connection.
/// Redis errors surface as <see cref="RedisException"/>; retry the call once Redis is back.
/// </remarks>
public sealed partial class RedisQueue : IDelayedQueue, IQueueAdmin, IDelayedQueueAdmin
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisBrrrSettings _settings;
    private readonly RedisKeys _keys;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<RedisQueueConsumer, byte> _consumers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the queue over a shared multiplexer (which the caller keeps owning).</summary>
    /// <param name="redis">The shared multiplexer for non-blocking commands.</param>
    /// <param name="settings">The settings; <see cref="RedisBrrrSettings.Configuration"/> is used to open each consumer's blocking connection.</param>
    /// <param name="loggerFactory">Where heartbeat and recovery problems are logged; none by default.</param>
    public RedisQueue(IConnectionMultiplexer redis, RedisBrrrSettings settings, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _redis = redis;
        _settings = settings;
        _keys = new RedisKeys(settings.KeyPrefix, settings.Layout);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    private IDatabase Db => _redis.GetDatabase(_settings.Database);

    /// <summary>Whether a script may touch this queue's topics together with keys of <paramref name="database"/> on <paramref name="redis"/>.</summary>
    internal bool SharesDatabaseWith(IConnectionMultiplexer redis, int database, RedisLayout layout) =>
        ReferenceEquals(redis, _redis) && database == _settings.Database && layout == _settings.Layout;

    /// <inheritdoc />
    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        return Db.ListRightPushAsync(_keys.Topic(topic), message);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>ZADD</c> to the topic's delayed set (<c>{&lt;topic list&gt;}:&lt;prefix&gt;delayed</c>), scored by
    /// <paramref name="notBefore"/> in Unix milliseconds; the member is a fresh 32-hex-digit id, a flag byte, then the
    /// message, so equal messages stay apart. The topic list itself is untouched until promotion.
    /// </remarks>
    public Task PushAsync(string topic, string message, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        return Db.SortedSetAddAsync(_keys.Delayed(topic), RedisKeys.DelayedMember(Encoding.UTF8.GetBytes(message), redelivered: false), notBefore.ToUnixTimeMilliseconds());
    }

    /// <inheritdoc />
    /// <remarks>One Lua script: due by the Redis server's clock, <c>RPUSH</c>ed in due order with the id stripped.</remarks>
    public async Task<int> PromoteDueAsync(string topic, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var moved = await Scripts.PromoteDue.EvaluateAsync(
            Db,
            [_keys.Delayed(topic), _keys.Topic(topic), _keys.Redelivered(topic)],
            [max, (long)_settings.RedeliveredMarkExpiry.TotalMilliseconds]).ConfigureAwait(false);
        return (int)moved;
    }

    /// <inheritdoc />
    public Task<long> CountDelayedAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Db.SortedSetLengthAsync(_keys.Delayed(topic));
    }

    /// <inheritdoc />
    /// <remarks>The consumer registers (heartbeat, consumers set) on its first receive; dispose it to give back what it holds.</remarks>
    public IQueueConsumer CreateConsumer(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var consumer = new RedisQueueConsumer(_redis, _settings, _keys, topic, _loggerFactory.CreateLogger<RedisQueueConsumer>(), c => _consumers.TryRemove(c, out _));
        _consumers.TryAdd(consumer, 0);
        return consumer;
    }

    /// <inheritdoc />
    /// <remarks>
    /// In flight counts the in-flight and landing lists of every registered consumer, including dead ones not yet recovered.
    /// </remarks>
    public async Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var db = Db;
        var waiting = db.ListLengthAsync(_keys.Topic(topic));
        var consumers = await db.SetMembersAsync(_keys.Consumers(topic)).ConfigureAwait(false);
        var held = await Task.WhenAll(consumers.Select(id => HeldCountAsync(db, topic, id.ToString()))).ConfigureAwait(false);
        return new QueueStats(topic, await waiting.ConfigureAwait(false), held.Sum());
    }

    /// <summary>How many messages one consumer holds: its in-flight list and its landing list (a blocking receive's message, for an instant).</summary>
    private async Task<long> HeldCountAsync(IDatabaseAsync db, string topic, string consumerId)
    {
        var inFlight = db.ListLengthAsync(_keys.InFlight(topic, consumerId));
        var landing = db.ListLengthAsync(_keys.Landing(topic, consumerId));
        return await inFlight.ConfigureAwait(false) + await landing.ConfigureAwait(false);
    }

    /// <summary>
    /// Looks at the other <see cref="RedisLayout"/>'s list of <paramref name="topic"/>: when messages wait there, some
    /// producer or worker of the fleet uses the other layout, and they never meet this queue's consumers.
    /// </summary>
    /// <returns>One line naming both keys and the setting to change, or null when nothing waits there.</returns>
    public Task<string?> FindLayoutMismatchAsync(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return LayoutCheck.FindMismatchAsync(Db, _keys, topic);
    }

    /// <summary>Disposes the consumers still open (giving back what they hold), before the multiplexer closes.</summary>
    internal async Task DisposeConsumersAsync()
    {
        await Task.WhenAll(_consumers.Keys.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
